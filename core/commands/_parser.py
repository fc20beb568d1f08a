"""``parse_command``: one message of any platform in, a typed command or a helpful error out.

A message is an optional ``/`` or ``!``, a verb (Telegram may append
``@BotName`` to it in groups), and the verb's arguments. Verbs and keywords
ignore case and character width; quoting is forgiving (see ``_tokens``).
Nothing here raises: every string, however odd, gets a ``Command`` or a
``ParseError`` that says what to type instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from core.commands._commands import (
    MAX_AUDIT_LIMIT,
    AcceptTermsCommand,
    AuditCommand,
    CancelCommand,
    Command,
    HelpCommand,
    QuotaCommand,
    ShowTermsCommand,
    StatusCommand,
    StylesCommand,
    TraceCommand,
    UpgradeCommand,
    VoicesCommand,
)
from core.commands._cover import parse_cover
from core.commands._errors import ErrorCode, ParseError
from core.commands._moderation import parse_settings
from core.commands._reports import parse_report, parse_reports, parse_resolve
from core.commands._styles import DEFAULT_STYLE_ALIASES, StyleIndex
from core.commands._text import EXAMPLE, clean_text, fold, shorten
from core.commands._tokens import TokenKind, tokenize, value_text
from core.commands._values import parse_count, parse_request_id
from core.commands._verbs import Verb, closest, find_verb, verb_names

_VERB = re.compile(r"[/!]?\s*(\?|[\w-]+)(?:@\w+)?")
_ACCEPT_WORDS = frozenset({"accept", "agree", "i agree", "yes", "ok"})
_SONG_KEYS = frozenset({"song", "title"})
_ID_KEYS = frozenset({"id", "request"})
_PLAN_KEYS = frozenset({"plan"})
_PLAN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
_TOPIC_KEYS = frozenset({"topic", "command"})


def parse_command(
    text: str, *, known_styles: Mapping[str, str] | None = None
) -> Command | ParseError:
    """Read one message.

    Args:
        text: the message as the user typed it, or an adapter's rendering of
            a slash command (``cover song:"Golden Hour" style:lofi``).
        known_styles: alias → style id, used to normalise style names;
            ``None`` means ``DEFAULT_STYLE_ALIASES`` and ``{}`` keeps every
            style as typed. Unknown styles are kept as typed, not rejected.

    Returns:
        The command, or a ``ParseError`` with a suggestion; never raises.
    """
    styles = StyleIndex.of(DEFAULT_STYLE_ALIASES if known_styles is None else known_styles)
    cleaned = clean_text(text)
    if isinstance(cleaned, ParseError):
        return cleaned
    found = _VERB.match(cleaned)
    verb = find_verb(found.group(1)) if found else None
    if found is None or verb is None:
        return _unknown_verb(found.group(1) if found else cleaned.split()[0])
    return _dispatch(verb, cleaned[found.end() :].strip(), styles)


def _unknown_verb(word: str) -> ParseError:
    guess = closest(word, verb_names())
    return ParseError(
        ErrorCode.UNKNOWN_VERB,
        f"I don't know the command “{shorten(word, 30)}”.",
        f"Did you mean `{guess}`?"
        if guess
        else f"Type `help` to see what I can do, e.g. `{EXAMPLE}`.",
    )


def _dispatch(verb: Verb, arguments: str, styles: StyleIndex) -> Command | ParseError:
    match verb:
        case Verb.COVER | Verb.REMIX:
            return parse_cover(verb.value, arguments, styles)
        case Verb.STYLES:
            return StylesCommand(_optional(arguments, _SONG_KEYS))
        case Verb.VOICES:
            return VoicesCommand(_optional(arguments, _SONG_KEYS))
        case Verb.STATUS:
            return _status(arguments)
        case Verb.CANCEL:
            return _cancel(arguments)
        case Verb.HELP:
            return HelpCommand(_topic(arguments))
        case Verb.TERMS:
            return _terms(arguments)
        case Verb.SETTINGS:
            return parse_settings(arguments, styles)
        case Verb.AUDIT:
            return _audit(arguments)
        case Verb.REPORT:
            return parse_report(arguments)
        case Verb.REPORTS:
            return parse_reports(arguments)
        case Verb.RESOLVE:
            return parse_resolve(arguments)
        case Verb.UPGRADE:
            return _upgrade(arguments)
        case Verb.QUOTA | Verb.TRACE:
            if arguments:
                return _no_arguments(verb)
            return QuotaCommand() if verb is Verb.QUOTA else TraceCommand()


def _no_arguments(verb: Verb) -> ParseError:
    return ParseError(
        ErrorCode.UNEXPECTED_ARGUMENTS,
        f"`{verb.value}` takes nothing after it.",
        f"Type just `{verb.value}`.",
    )


def _optional(arguments: str, keys: frozenset[str]) -> str | None:
    """A single free-text argument, allowing Discord's ``name:`` before it."""
    tokens = tokenize(arguments, keys)
    if tokens and tokens[0].kind is TokenKind.KEY:
        tokens = tokens[1:]
    return value_text(tokens) or None


def _upgrade(arguments: str) -> UpgradeCommand | ParseError:
    plan = _optional(arguments, _PLAN_KEYS)
    if plan is not None and not _PLAN_ID.fullmatch(plan):
        return ParseError(
            ErrorCode.BAD_ID,
            f"{plan!r} is not a plan id.",
            "Type `upgrade` to see the plans and their ids.",
        )
    return UpgradeCommand(plan)


def _status(arguments: str) -> StatusCommand | ParseError:
    raw = _optional(arguments, _ID_KEYS)
    if raw is None:
        return StatusCommand(None)
    request_id = parse_request_id(raw)
    if request_id is None:
        return _bad_id(raw, "status")
    return StatusCommand(request_id)


def _cancel(arguments: str) -> CancelCommand | ParseError:
    raw = _optional(arguments, _ID_KEYS)
    if raw is None:
        return ParseError(
            ErrorCode.MISSING_ID,
            "Which request? `cancel` needs its id, e.g. `cancel 1a2b3c4d`.",
            "Type `status` to see your requests and their ids.",
        )
    request_id = parse_request_id(raw)
    if request_id is None:
        return _bad_id(raw, "cancel")
    return CancelCommand(request_id)


def _bad_id(raw: str, verb: str) -> ParseError:
    return ParseError(
        ErrorCode.BAD_ID,
        f"“{shorten(raw, 30)}” isn't a request id; ids look like `1a2b3c4d`.",
        f"Type `status` to see your requests, then `{verb} <id>`.",
    )


def _topic(arguments: str) -> str | None:
    text = _optional(arguments, _TOPIC_KEYS)
    if text is None:
        return None
    topic = " ".join(fold(text).lstrip("/!").split())
    verb = find_verb(topic.split()[0]) if topic else None
    if verb is not None:
        return verb.value
    return topic or None


def _terms(arguments: str) -> Command | ParseError:
    words = " ".join(fold(arguments).split())
    if not words:
        return ShowTermsCommand()
    if words in _ACCEPT_WORDS:
        return AcceptTermsCommand()
    return ParseError(
        ErrorCode.UNEXPECTED_ARGUMENTS,
        f"`terms` doesn't take “{shorten(arguments, 30)}”.",
        "Type `terms` to read them or `terms accept` to accept them.",
    )


def _audit(arguments: str) -> AuditCommand | ParseError:
    if not arguments:
        return AuditCommand()
    limit = parse_count(arguments, MAX_AUDIT_LIMIT)
    if limit is None:
        return ParseError(
            ErrorCode.BAD_NUMBER,
            f"`audit` takes how many entries to show, 1 to {MAX_AUDIT_LIMIT} "
            f"(not “{shorten(arguments, 20)}”).",
            "For example `audit 20`.",
        )
    return AuditCommand(limit)
