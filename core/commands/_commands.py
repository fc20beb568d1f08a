"""The typed commands the grammar produces: one frozen dataclass per verb.

Every platform adapter hands user text to ``parse_command`` and dispatches on
these classes, so Discord, Telegram and the console run exactly the same use
cases. The commands say what was asked, not whether it is allowed: rights,
quotas and moderator roles are checked by the use cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from core.commands._settings import (
    VALUE_TYPES,
    ChannelList,
    CountryChoice,
    Duration,
    SettingKey,
    SettingValue,
    StyleList,
    UserRef,
    VoiceList,
)
from core.model import Transformation

MAX_CLIP_SECONDS = 600
"""The longest clip anyone may ask for; tiers and licenses usually allow less."""


@dataclass(frozen=True)
class CoverCommand:
    """A cover, a voice cover or a remix of a catalog song.

    ``transformation`` is what the license must grant, so it is kept
    consistent with ``voice``: a voice makes a cover a ``VOICE_SWAP``, and a
    ``REMIX`` keeps the original singer. Construction enforces this, because
    a voice smuggled into a plain ``COVER`` would skip the voice-model checks.

    ``style`` is a canonical style id when the grammar knew the name, else the
    text as typed (the use case lists what the license allows); ``None`` when
    no style was given (the use case asks). ``unsplit`` keeps the whole text
    when an unquoted ``by`` was read as the artist separator, so a title such
    as *Stand by Me* can still be found by the catalog search.
    """

    song: str
    artist: str | None = None
    style: str | None = None
    voice: str | None = None
    seconds: int | None = None
    transformation: Transformation = Transformation.COVER
    unsplit: str | None = None
    take: int = 1  # 2, 3…: another version of the same cover (regenerate)

    def __post_init__(self) -> None:
        if not self.song.strip():
            raise ValueError("a cover needs a song")
        for name, text in (("artist", self.artist), ("style", self.style), ("voice", self.voice)):
            if text is not None and not text.strip():
                raise ValueError(f"{name} is None when not given, never blank")
        if self.seconds is not None and not 1 <= self.seconds <= MAX_CLIP_SECONDS:
            raise ValueError(f"seconds must be 1..{MAX_CLIP_SECONDS}, not {self.seconds}")
        wants_voice = self.transformation is Transformation.VOICE_SWAP
        if (self.voice is not None) != wants_voice:
            raise ValueError(
                f"{self.transformation.value} with voice={self.voice!r}: a voice makes a "
                "VOICE_SWAP, and only a VOICE_SWAP has a voice"
            )


@dataclass(frozen=True)
class StylesCommand:
    """List styles: all of them, or those a song's license allows here."""

    song: str | None = None


@dataclass(frozen=True)
class VoicesCommand:
    """List consented voice models: all of them, or those licensed for a song."""

    song: str | None = None


@dataclass(frozen=True)
class QuotaCommand:
    """Show the render-seconds left and when they reset."""


@dataclass(frozen=True)
class UpgradeCommand:
    """Show the paid plans, or buy one (``plan``: its id) where the platform lets us sell."""

    plan: str | None = None


@dataclass(frozen=True)
class StatusCommand:
    """Show one request (by id, as typed without ``#``) or the latest ones."""

    request_id: str | None = None


@dataclass(frozen=True)
class CancelCommand:
    """Cancel a queued or running request of one's own."""

    request_id: str


@dataclass(frozen=True)
class TraceCommand:
    """Identify a leaked clip; the audio comes as an attachment, which is the adapter's part."""


@dataclass(frozen=True)
class HelpCommand:
    """The cheat sheet, or one topic (a canonical verb when the topic named one)."""

    topic: str | None = None


@dataclass(frozen=True)
class ShowTermsCommand:
    """Show the terms of use."""


@dataclass(frozen=True)
class AcceptTermsCommand:
    """Accept the current terms of use."""


@dataclass(frozen=True)
class SetCountryCommand:
    """A user's own country, ISO 3166-1 alpha-2 upper case; ``None`` clears it."""

    country: str | None


@dataclass(frozen=True)
class ShowSettingsCommand:
    """Show this server's or chat's settings."""


@dataclass(frozen=True)
class ModeratorSettingCommand:
    """A change to the server's or chat's policy, with its value already typed.

    ``value`` must be the type ``VALUE_TYPES`` gives for ``key``; construction
    checks it so a use case can rely on the pairing. ``values`` and ``number``
    are the same value flattened to strings and seconds, for code that does
    not need to tell ids from names.
    """

    key: SettingKey
    value: SettingValue

    def __post_init__(self) -> None:
        expected = VALUE_TYPES[self.key]
        if not isinstance(self.value, expected):
            raise TypeError(
                f"setting {self.key.value} takes a {expected.__name__}, "
                f"not a {type(self.value).__name__}"
            )
        if self.key in (SettingKey.DISABLE_STYLE, SettingKey.ENABLE_STYLE) and not (
            isinstance(self.value, StyleList) and self.value.styles
        ):
            raise ValueError(f"{self.key.value} needs at least one style")

    @property
    def values(self) -> tuple[str, ...] | None:
        """Styles, voices, channel ids/names, the country or the user, as strings."""
        match self.value:
            case StyleList(styles):
                return styles
            case VoiceList(voices):
                return voices
            case ChannelList(channels):
                return None if channels is None else tuple(c.value for c in channels)
            case CountryChoice(code):
                return None if code is None else (code,)
            case UserRef(_, name):
                return (name,)
        return None

    @property
    def number(self) -> int | None:
        """The seconds of ``max-length``, ``cooldown``, ``pool``, ``user-limit``; else ``None``."""
        return self.value.seconds if isinstance(self.value, Duration) else None


DEFAULT_AUDIT_LIMIT = 20
MAX_AUDIT_LIMIT = 100


@dataclass(frozen=True)
class AuditCommand:
    """Show the latest entries of the moderation audit log."""

    limit: int = DEFAULT_AUDIT_LIMIT


MAX_REPORT_CHARS = 400
"""The longest reason or resolution note kept; a report is a pointer, not an essay."""


@dataclass(frozen=True)
class ReportCommand:
    """Flag a clip for this server's moderators.

    ``target`` is a clip id or a delivery id (the copy the reporter saw), as
    typed; the use case finds which. ``reason`` is free text, ``None`` when
    none was given; construction refuses blank or over-long text so the
    grammar is the one place that words that error.
    """

    target: str
    reason: str | None = None

    def __post_init__(self) -> None:
        if not self.target.strip():
            raise ValueError("a report names a clip")
        if self.reason is not None and not (
            self.reason.strip() and len(self.reason) <= MAX_REPORT_CHARS
        ):
            raise ValueError(f"a reason is None or 1..{MAX_REPORT_CHARS} characters")


@dataclass(frozen=True)
class ReportsCommand:
    """The open reports of this server, newest first (moderators)."""

    limit: int = DEFAULT_AUDIT_LIMIT


@dataclass(frozen=True)
class ResolveCommand:
    """Close one report (by id or its short form), with an optional note (moderators)."""

    report_id: str
    note: str | None = None

    def __post_init__(self) -> None:
        if self.note is not None and not (self.note.strip() and len(self.note) <= MAX_REPORT_CHARS):
            raise ValueError(f"a note is None or 1..{MAX_REPORT_CHARS} characters")


Command: TypeAlias = (
    CoverCommand
    | StylesCommand
    | VoicesCommand
    | QuotaCommand
    | StatusCommand
    | CancelCommand
    | TraceCommand
    | HelpCommand
    | ShowTermsCommand
    | AcceptTermsCommand
    | SetCountryCommand
    | ShowSettingsCommand
    | ModeratorSettingCommand
    | AuditCommand
    | ReportCommand
    | ReportsCommand
    | ResolveCommand
    | UpgradeCommand
)
"""Everything ``parse_command`` can return besides a ``ParseError``."""
