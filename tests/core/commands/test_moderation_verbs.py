"""``report``, ``reports``, ``resolve`` and the settings ``user-limit`` and ``nsfw-filter``."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.commands import (
    MAX_REPORT_CHARS,
    Duration,
    ErrorCode,
    HelpCommand,
    ModeratorSettingCommand,
    ParseError,
    ReportCommand,
    ReportsCommand,
    ResolveCommand,
    SettingKey,
    Switch,
    format_command,
    help_text,
    parse_command,
)

UID = "0192f3a4-5b6c-7d8e-9f01-23456789abcd"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("report 1a2b3c4d", ReportCommand("1a2b3c4d")),
        ("report 1a2b3c4d wrong artist name", ReportCommand("1a2b3c4d", "wrong artist name")),
        (f'/report {UID} "not the song"', ReportCommand(UID, "not the song")),
        ("report `#1a2b3c4d`   spam   spam ", ReportCommand("1a2b3c4d", "spam spam")),
        ("report clip:1a2b3c4d reason: too loud", ReportCommand("1a2b3c4d", "too loud")),
        ("flag 1a2b3c4d", ReportCommand("1a2b3c4d")),
        ('report 1a2b3c4d ""', ReportCommand("1a2b3c4d")),
        ("reports", ReportsCommand(20)),
        ("reports 5", ReportsCommand(5)),
        ("resolve 1A2B3C4D", ResolveCommand("1A2B3C4D")),
        ("resolve 1a2b3c4d taken down", ResolveCommand("1a2b3c4d", "taken down")),
        ("resolve report:1a2b3c4d note: fine", ResolveCommand("1a2b3c4d", "fine")),
        ("settings user-limit 300", ModeratorSettingCommand(SettingKey.USER_LIMIT, Duration(300))),
        ("settings user limit 5m", ModeratorSettingCommand(SettingKey.USER_LIMIT, Duration(300))),
        ("settings member-limit off", ModeratorSettingCommand(SettingKey.USER_LIMIT, Duration(None))),
        ("settings nsfw-filter on", ModeratorSettingCommand(SettingKey.NSFW_FILTER, Switch(True))),
        ("settings nsfw filter OFF", ModeratorSettingCommand(SettingKey.NSFW_FILTER, Switch(False))),
        ("settings nsfw yes", ModeratorSettingCommand(SettingKey.NSFW_FILTER, Switch(True))),
        ("help resolve", HelpCommand("resolve")),
    ],
)
def test_reads(text: str, expected: object) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("report", ErrorCode.MISSING_ID, "Which clip?"),
        ("report clip:", ErrorCode.MISSING_ID, "Which clip?"),
        ("report ¿¿ spam", ErrorCode.BAD_ID, "isn't a clip id"),
        ("report 1a2b3c4d " + "x" * (MAX_REPORT_CHARS + 1), ErrorCode.TOO_LONG, "reason"),
        ("reports lots", ErrorCode.BAD_NUMBER, "1 to 100"),
        ("reports 0", ErrorCode.BAD_NUMBER, "1 to 100"),
        ("resolve", ErrorCode.MISSING_ID, "Which report?"),
        ("resolve ?? ok", ErrorCode.BAD_ID, "isn't a report id"),
        ("settings user-limit 0", ErrorCode.BAD_SETTING_VALUE, "1 to 86,400"),
        ("settings user-limit 90000", ErrorCode.BAD_SETTING_VALUE, "1 to 86,400"),
        ("settings nsfw-filter maybe", ErrorCode.BAD_SETTING_VALUE, "`on` or `off`"),
        ("settings nsfw-filter", ErrorCode.MISSING_VALUE, "needs a value"),
    ],
)
def test_errors_say_what_to_type(text: str, code: ErrorCode, words: str) -> None:
    result = parse_command(text)
    assert isinstance(result, ParseError), result
    assert result.code is code and words in result.message
    assert result.suggestion and "`" in result.suggestion


def test_report_values_are_checked_when_built() -> None:
    with pytest.raises(ValueError):
        ReportCommand(" ")
    with pytest.raises(ValueError):
        ReportCommand("1a2b3c4d", "  ")
    with pytest.raises(ValueError):
        ResolveCommand("1a2b3c4d", "x" * (MAX_REPORT_CHARS + 1))
    with pytest.raises(TypeError):
        ModeratorSettingCommand(SettingKey.NSFW_FILTER, Duration(1))


def test_help_lists_the_new_verbs_and_settings() -> None:
    overview = help_text()
    assert "`report <clip id>" in overview and "`reports`" in overview and "`resolve" in overview
    page = help_text("settings")
    assert "settings user-limit 300" in page and "settings nsfw-filter on" in page
    assert "no free-text prompts" in page
    assert "report 1a2b3c4d" in help_text("report")


_ID = st.from_regex(r"[0-9A-Za-z][0-9A-Za-z_-]{0,40}", fullmatch=True)
_TEXT = (
    st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=80)
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: bool(s) and unicodedata.is_normalized("NFC", s))
    .filter(lambda s: not all(any(c in s for c in g) for g in ['"', "”“", "»", "」", "』"]))
)


@settings(max_examples=300, deadline=None)
@given(_ID, st.none() | _TEXT)
def test_report_round_trips(target: str, reason: str | None) -> None:
    command = ReportCommand(target, reason)
    assert parse_command(format_command(command)) == command


@settings(max_examples=300, deadline=None)
@given(_ID, st.none() | _TEXT, st.integers(1, 100))
def test_resolve_and_reports_round_trip(report_id: str, note: str | None, limit: int) -> None:
    for command in (ResolveCommand(report_id, note), ReportsCommand(limit)):
        assert parse_command(format_command(command)) == command
