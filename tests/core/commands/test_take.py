"""``take:N`` asks for another version of the same cover (the regenerate button)."""

from __future__ import annotations

import pytest

from core.commands import CoverCommand, ParseError, format_command, parse_command


def test_take_defaults_to_the_first() -> None:
    parsed = parse_command('cover "Golden Hour" style:lofi')
    assert isinstance(parsed, CoverCommand) and parsed.take == 1


def test_take_reads_and_formats_back() -> None:
    parsed = parse_command('cover "Golden Hour" style:lofi take:3')
    assert isinstance(parsed, CoverCommand) and parsed.take == 3
    assert "take:3" in format_command(parsed)
    assert parse_command(format_command(parsed)) == parsed


@pytest.mark.parametrize("bad", ["0", "-1", "two", "100", "1.5"])
def test_bad_takes_say_what_a_take_is(bad: str) -> None:
    parsed = parse_command(f'cover "Golden Hour" style:lofi take:{bad}')
    assert isinstance(parsed, ParseError)
    assert "take is a number from 1 to 99" in parsed.message
