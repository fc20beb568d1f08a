"""``format_command``: the canonical text of a command, for buttons, hints and logs.

The text is what a user could type, and ``parse_command`` reads it back as
the same command: a button that re-sends "cover this in lofi" goes through
the same grammar as typing it. Titles are quoted so grammar words inside
them (``"Stand by Me"``) stay part of the title; a cover whose artist was
split off an unquoted title keeps that unquoted form, so the catalog still
sees the whole text (``unsplit``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.commands._commands import (
    AcceptTermsCommand,
    AuditCommand,
    CancelCommand,
    Command,
    CoverCommand,
    HelpCommand,
    ModeratorSettingCommand,
    QuotaCommand,
    ReportCommand,
    ReportsCommand,
    ResolveCommand,
    SetCountryCommand,
    ShowSettingsCommand,
    ShowTermsCommand,
    StatusCommand,
    StylesCommand,
    TraceCommand,
    UpgradeCommand,
    VoicesCommand,
)
from core.commands._cover import parse_cover
from core.commands._settings import (
    ChannelList,
    CountryChoice,
    Duration,
    RefKind,
    SettingValue,
    StyleList,
    Switch,
    UserRef,
    VoiceList,
)
from core.commands._styles import StyleIndex
from core.commands._text import fold
from core.commands._tokens import quote
from core.commands._verbs import find_verb
from core.model import Transformation

_SLUG = re.compile(r"[\w-]+")
_NAME = re.compile(r"\w[\w .-]*")
_KEYWORDS = frozenset({"all", "none"})


def format_command(command: Command) -> str:
    """Text that ``parse_command`` reads back as ``command``.

    Holds for every command ``parse_command`` returns (with the same
    ``known_styles``) and for hand-made ones with ordinary values.
    """
    match command:
        case CoverCommand():
            return _cover(command)
        case StylesCommand(song) | VoicesCommand(song):
            verb = "styles" if isinstance(command, StylesCommand) else "voices"
            return verb if song is None else f"{verb} {quote(song)}"
        case QuotaCommand():
            return "quota"
        case UpgradeCommand(plan):
            return "upgrade" if plan is None else f"upgrade {plan}"
        case StatusCommand(request_id):
            return "status" if request_id is None else f"status {request_id}"
        case CancelCommand(request_id):
            return f"cancel {request_id}"
        case TraceCommand():
            return "trace"
        case HelpCommand(topic):
            if topic is None:
                return "help"
            return f"help {topic if find_verb(topic) else quote(topic)}"
        case ShowTermsCommand():
            return "terms"
        case AcceptTermsCommand():
            return "terms accept"
        case SetCountryCommand(country):
            return f"settings country {country or 'clear'}"
        case ShowSettingsCommand():
            return "settings"
        case ModeratorSettingCommand(key, value):
            return f"settings {key.value} {_setting(value)}"
        case AuditCommand(limit):
            return f"audit {limit}"
        case ReportCommand(target, reason):
            return f"report {target}" if reason is None else f"report {target} {quote(reason)}"
        case ReportsCommand(limit):
            return f"reports {limit}"
        case ResolveCommand(report_id, note):
            return f"resolve {report_id}" if note is None else f"resolve {report_id} {quote(note)}"


def _cover(command: CoverCommand) -> str:
    verb = "remix" if command.transformation is Transformation.REMIX else "cover"
    options = []
    if command.style is not None:
        options.append("style:" + _slug_or_quote(command.style))
    if command.voice is not None:
        options.append("voice:" + quote(command.voice))
    if command.seconds is not None:
        options.append(f"length:{command.seconds}")
    if command.take != 1:
        options.append(f"take:{command.take}")
    if command.artist is not None and command.unsplit == f"{command.song} by {command.artist}":
        bare = " ".join([command.unsplit, *options])
        # Unquoted text is only kept when the grammar provably reads it back.
        if parse_cover(verb, bare, StyleIndex.of({})) == command:
            return f"{verb} {bare}"
    head = [quote(command.song)]
    if command.artist is not None:
        head += ["by", quote(command.artist)]
    return " ".join([verb, *head, *options])


def _slug_or_quote(text: str) -> str:
    if _SLUG.fullmatch(text) and fold(text) not in _KEYWORDS:
        return text
    return quote(text)


def _name_or_quote(text: str) -> str:
    if _NAME.fullmatch(text) and fold(text) not in _KEYWORDS:
        return text
    return quote(text)


def _listing(items: tuple[str, ...] | None, render: Iterable[str]) -> str:
    if items is None:
        return "all"
    return ", ".join(render) or "none"


def _setting(value: SettingValue) -> str:
    match value:
        case StyleList(styles):
            return _listing(styles, map(_slug_or_quote, styles or ()))
        case VoiceList(voices):
            return _listing(voices, map(_name_or_quote, voices or ()))
        case ChannelList(channels):
            if channels is None:
                return "all"
            return " ".join(c.value if c.kind is RefKind.ID else f"#{c.value}" for c in channels)
        case Duration(seconds):
            return "off" if seconds is None else str(seconds)
        case CountryChoice(code):
            return code or "clear"
        case UserRef(kind, name):
            return f"<@{name}>" if kind is RefKind.ID else f"@{name}"
        case Switch(on):
            return "on" if on else "off"
