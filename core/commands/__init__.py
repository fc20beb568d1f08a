"""One command grammar for every platform: Discord, Telegram and the console.

Adapters pass the text they receive to ``parse_command`` and dispatch on the
typed command that comes back, or show the ``ParseError`` (a message and
what to type instead). ``format_command`` writes a command back as text that
parses to the same command (for buttons and hints); ``help_text`` is the
cheat sheet.
"""

from core.commands._commands import (
    MAX_CLIP_SECONDS,
    MAX_REPORT_CHARS,
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
from core.commands._cover import MAX_TAKE
from core.commands._errors import ErrorCode, ParseError
from core.commands._format import format_command
from core.commands._help import help_text
from core.commands._parser import parse_command
from core.commands._settings import (
    ChannelList,
    ChannelRef,
    CountryChoice,
    Duration,
    RefKind,
    SettingKey,
    SettingValue,
    StyleList,
    Switch,
    UserRef,
    VoiceList,
)
from core.commands._styles import DEFAULT_STYLE_ALIASES, canonical_style
from core.commands._text import MAX_CHARS, without_bidi_controls
from core.commands._values import country_hint, parse_country, parse_length

__all__ = [
    "DEFAULT_STYLE_ALIASES",
    "MAX_CHARS",
    "MAX_CLIP_SECONDS",
    "MAX_REPORT_CHARS",
    "MAX_TAKE",
    "AcceptTermsCommand",
    "AuditCommand",
    "CancelCommand",
    "ChannelList",
    "ChannelRef",
    "Command",
    "CountryChoice",
    "CoverCommand",
    "Duration",
    "ErrorCode",
    "HelpCommand",
    "ModeratorSettingCommand",
    "ParseError",
    "QuotaCommand",
    "RefKind",
    "ReportCommand",
    "ReportsCommand",
    "ResolveCommand",
    "SetCountryCommand",
    "SettingKey",
    "SettingValue",
    "ShowSettingsCommand",
    "ShowTermsCommand",
    "StatusCommand",
    "StyleList",
    "StylesCommand",
    "Switch",
    "TraceCommand",
    "UpgradeCommand",
    "UserRef",
    "VoiceList",
    "VoicesCommand",
    "canonical_style",
    "country_hint",
    "format_command",
    "help_text",
    "parse_command",
    "parse_country",
    "parse_length",
    "without_bidi_controls",
]
