"""Every error code, with a message that says what went wrong and what to type instead."""

from __future__ import annotations

import pytest

from core.commands import ErrorCode, ParseError, parse_command

# code → (input, words in the message, words in the suggestion)
CASES: dict[ErrorCode, list[tuple[str, str, str]]] = {
    ErrorCode.EMPTY: [
        ("", "didn't get a command", "`help`"),
        ("   \n\t ", "didn't get a command", "`help`"),
        ("\u200b\ufeff", "didn't get a command", "`help`"),
    ],
    ErrorCode.TOO_LONG: [
        ("x" * 501, "That message is too long (501 characters); keep it under 500", "cover"),
        ("cover " + "a" * 2000, "(2006 characters)", "cover"),
    ],
    ErrorCode.BAD_CHARACTERS: [
        ("cover \x00 Golden", "control characters", "plain text"),
        ("cover Golden\x1b[31mHour", "control characters", "plain text"),
        ("cover Golden\x85Hour", "control characters", "plain text"),
        ("cover Golden \ud800 Hour", "control characters", "plain text"),
    ],
    ErrorCode.UNKNOWN_VERB: [
        ("covr Golden Hour", "I don't know the command “covr”", "Did you mean `cover`?"),
        ("remxi Golden Hour", "“remxi”", "Did you mean `remix`?"),
        ("stauts", "“stauts”", "Did you mean `status`?"),
        ("dance", "“dance”", "Type `help`"),
        ("Golden Hour lofi", "“Golden”", "`cover Golden Hour style:lofi`"),
        ('"cover" x', '“"cover"”', "`help`"),
        ("/", "“/”", "`help`"),
    ],
    ErrorCode.UNEXPECTED_ARGUMENTS: [
        ("quota please", "`quota` takes nothing after it", "Type just `quota`"),
        ("trace this.mp3", "`trace` takes nothing", "Type just `trace`"),
        ("terms maybe", "`terms` doesn't take “maybe”", "`terms accept`"),
    ],
    ErrorCode.MISSING_SONG: [
        ("cover", "Which song should I cover?", "`cover Golden Hour style:lofi`"),
        ("/remix", "Which song should I remix?", "`remix Golden Hour style:lofi`"),
        ("cover style:lofi", "Which song", "Put the title first"),
        ('cover "" style:lofi', "Which song", "Put the title first"),
        ("cover song: style:lofi", "Which song", "Put the title first"),
    ],
    ErrorCode.MISSING_VALUE: [
        ("cover Golden Hour style:", "`style:` needs a style", 'cover "Golden Hour" style:lofi'),
        ("cover Golden Hour by", "`by` needs an artist", 'cover "Golden Hour" by Mira Vale'),
        ("cover Golden Hour voice: length:30", "`voice:` needs a voice", 'voice:"Ada Nova"'),
        ("cover Golden Hour in the style of", "`in the style of` needs a style", "style:lofi"),
        ("settings cooldown", "`settings cooldown` needs a value", "`settings cooldown 60`"),
        ("settings ban", "`settings ban` needs a value", "`settings ban @name`"),
        ("settings country", "`settings country` needs a value", "`settings country DE`"),
    ],
    ErrorCode.DUPLICATE_OPTION: [
        (
            "cover x style:a style:b",
            "You gave `style:` twice",
            'Keep one, e.g. `cover "x" style:lofi`',
        ),
        ("cover x in the style of a style:b", "the style twice", "Keep one"),
        ("cover x length:30 length:40", "`length:` twice", "length:30"),
        ("cover x voice:A in the voice of B", "the voice twice", "Keep one"),
        ("cover x artist:A artist:B", "`artist:` twice", "Keep one"),
    ],
    ErrorCode.CONFLICTING_OPTIONS: [
        (
            "remix Golden Hour voice:Ada",
            "A remix keeps the original singer",
            'cover "Golden Hour" voice:"Ada"',
        ),
    ],
    ErrorCode.BAD_LENGTH: [
        ("cover x length:abc", "can't read “abc” as a length", 'e.g. `cover "x" length:30`'),
        ("cover x length:0", "at least 1 second", "from 1 to 600"),
        ("cover x length:-5", "can't be negative", "from 1 to 600"),
        ("cover x length:601", "at most 600 seconds; you asked for 601", "from 1 to 600"),
        ("cover x length:10:01", "you asked for 601", "`length:1:30`"),
        ("cover x length:30.5", "“30.5”", "whole seconds"),
    ],
    ErrorCode.MISSING_ID: [
        ("cancel", "`cancel` needs its id", "Type `status`"),
    ],
    ErrorCode.BAD_ID: [
        ("cancel my song", "“my song” isn't a request id", "`cancel <id>`"),
        ("status ???", "“???” isn't a request id", "`status <id>`"),
    ],
    ErrorCode.BAD_COUNTRY: [
        (
            "settings country Germany",
            "“Germany” isn't a two-letter country code",
            "`settings country DE`",
        ),
        ("settings country XY", "“XY”", "`settings country clear`"),
        ("settings country uk", "use `GB`", "`settings country GB`"),
        ("settings server-country 12", "“12”", "`settings server-country DE`"),
    ],
    ErrorCode.UNKNOWN_SETTING: [
        (
            "settings colour red",
            "There is no setting “colour”",
            "styles, disable-style, enable-style, voices, channels, max-length, cooldown, pool, "
            "user-limit, server-country, ban, unban, nsfw-filter",
        ),
        ("settings cooldwn 30", "“cooldwn”", "Did you mean `settings cooldown`?"),
    ],
    ErrorCode.BAD_SETTING_VALUE: [
        ("settings cooldown soon", "from 0 to 86,400 or `off`", "`settings cooldown 60`"),
        ("settings max-length 601", "from 1 to 600", "`settings max-length 60`"),
        ("settings pool 0", "from 1 to 1,000,000", "`settings pool 3600`"),
        ("settings channels none", "at least one channel", "`settings channels all`"),
        ("settings channels <#abc>", "“<#abc>” isn't a channel", "`settings channels #covers`"),
        ("settings ban Erin", "can't tell who “Erin” is", "`settings ban @name`"),
        ("settings ban @a @b", "name one user", "`settings ban @name`"),
        ("settings disable-style all", "takes style names", "`settings styles none`"),
        ("settings enable-style all", "takes style names", "`settings styles all`"),
    ],
    ErrorCode.BAD_NUMBER: [
        ("audit many", "1 to 100", "`audit 20`"),
        ("audit 0", "1 to 100", "`audit 20`"),
        ("audit 1000", "(not “1000”)", "`audit 20`"),
    ],
}


def test_every_code_is_covered() -> None:
    assert set(CASES) == set(ErrorCode)


@pytest.mark.parametrize(
    ("text", "code", "message", "suggestion"),
    [(t, code, m, s) for code, cases in CASES.items() for t, m, s in cases],
    ids=lambda v: repr(v)[:40] if isinstance(v, str) else str(v),
)
def test_error_says_what_to_type(text: str, code: ErrorCode, message: str, suggestion: str) -> None:
    result = parse_command(text)
    assert isinstance(result, ParseError), result
    assert result.code is code
    assert message in result.message
    assert result.suggestion is not None
    assert suggestion in result.suggestion


def test_long_user_text_is_not_echoed_whole() -> None:
    result = parse_command("cover x length:" + "9" * 300)
    assert isinstance(result, ParseError)
    assert len(result.message) < 120
