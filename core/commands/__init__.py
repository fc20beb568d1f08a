"""One command grammar for Discord, Telegram and the console."""

from core.commands.grammar import MAX_CHARS, format_command, parse_command, parse_length
from core.commands.help import help_text
from core.commands.model import (
    AcceptTermsCommand,
    AuditCommand,
    CancelCommand,
    Command,
    CommandError,
    CoverCommand,
    ErrorCode,
    HelpCommand,
    ModeratorSettingCommand,
    QuotaCommand,
    SetCountryCommand,
    SettingKey,
    ShowSettingsCommand,
    ShowTermsCommand,
    StatusCommand,
    StylesCommand,
    TraceCommand,
    VoicesCommand,
)
from core.commands.styles import DEFAULT_STYLE_ALIASES, canonical_style

__all__ = [
    "DEFAULT_STYLE_ALIASES",
    "MAX_CHARS",
    "AcceptTermsCommand",
    "AuditCommand",
    "CancelCommand",
    "Command",
    "CommandError",
    "CoverCommand",
    "ErrorCode",
    "HelpCommand",
    "ModeratorSettingCommand",
    "QuotaCommand",
    "SetCountryCommand",
    "SettingKey",
    "ShowSettingsCommand",
    "ShowTermsCommand",
    "StatusCommand",
    "StylesCommand",
    "TraceCommand",
    "VoicesCommand",
    "canonical_style",
    "format_command",
    "help_text",
    "parse_command",
    "parse_length",
]
