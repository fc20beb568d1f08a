"""The command grammar: realistic phrasings, every error, and fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.commands import (
    AcceptTermsCommand,
    AuditCommand,
    CancelCommand,
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
    format_command,
    parse_command,
)
from core.model import Transformation

COVER, REMIX, VOICE = Transformation.COVER, Transformation.REMIX, Transformation.VOICE_SWAP


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('/cover "Golden Hour" style:lofi', CoverCommand("Golden Hour", style="lofi")),
        ("cover Golden Hour in the style of synthwave", CoverCommand("Golden Hour", style="synthwave")),
        ("Cover golden hour by Mira Vale style: lo-fi",
         CoverCommand("golden hour", "Mira Vale", "lofi", unsplit="golden hour by Mira Vale")),
        ("cover “Golden Hour” style:LOFI", CoverCommand("Golden Hour", style="lofi")),
        ("!cover ‘Golden Hour’ style:8bit", CoverCommand("Golden Hour", style="8-bit")),
        ('cover "Stand by Me" by Kai Orin style:lofi',
         CoverCommand("Stand by Me", "Kai Orin", "lofi")),
        ("cover Golden Hour style:8 bit length:30", CoverCommand("Golden Hour", style="8-bit", seconds=30)),
        ("cover Golden Hour style:drum and bass length:1:30",
         CoverCommand("Golden Hour", style="drum-and-bass", seconds=90)),
        ("cover Golden Hour length:45s style:karaoke",
         CoverCommand("Golden Hour", style="instrumental", seconds=45)),
        ('cover "Golden Hour" voice:"Ada Nova"', CoverCommand("Golden Hour", voice="Ada Nova",
                                                              transformation=VOICE)),
        ("cover Golden Hour in the style of lo fi in the voice of Ada Nova",
         CoverCommand("Golden Hour", style="lofi", voice="Ada Nova", transformation=VOICE)),
        ("cover   Golden    Hour   ", CoverCommand("Golden Hour")),
        ("remix Golden Hour style:dnb", CoverCommand("Golden Hour", style="drum-and-bass",
                                                      transformation=REMIX)),
        ("cover Golden Hour style:polka", CoverCommand("Golden Hour", style="polka")),
        ('cover "Golden Hour" artist:"Mira Vale"', CoverCommand("Golden Hour", "Mira Vale")),
        ("styles", StylesCommand()),
        ("styles Golden Hour", StylesCommand("Golden Hour")),
        ('voices "Golden Hour"', VoicesCommand("Golden Hour")),
        ("quota", QuotaCommand()),
        ("STATUS", StatusCommand()),
        ("status 1a2b3c4d", StatusCommand("1a2b3c4d")),
        ("cancel `1a2b3c4d`", CancelCommand("1a2b3c4d")),
        ("trace", TraceCommand()),
        ("help", HelpCommand()),
        ("/help cover", HelpCommand("cover")),
        ("terms", ShowTermsCommand()),
        ("terms accept", AcceptTermsCommand()),
        ("settings country de", SetCountryCommand("DE")),
        ("settings country clear", SetCountryCommand(None)),
        ("settings", ShowSettingsCommand()),
        ("settings disable-style synthwave",
         ModeratorSettingCommand(SettingKey.DISABLE_STYLE, ("synthwave",))),
        ("settings enable-style lo-fi", ModeratorSettingCommand(SettingKey.ENABLE_STYLE, ("lofi",))),
        ("settings styles lofi, acoustic",
         ModeratorSettingCommand(SettingKey.STYLES, ("lofi", "acoustic"))),
        ("settings styles all", ModeratorSettingCommand(SettingKey.STYLES, None)),
        ("settings channels #covers <#55>",
         ModeratorSettingCommand(SettingKey.CHANNELS, ("covers", "55"))),
        ("settings voices none", ModeratorSettingCommand(SettingKey.VOICES, ())),
        ("settings max-length 30", ModeratorSettingCommand(SettingKey.MAX_LENGTH, number=30)),
        ("settings max-length off", ModeratorSettingCommand(SettingKey.MAX_LENGTH, number=None)),
        ("settings cooldown 60", ModeratorSettingCommand(SettingKey.COOLDOWN, number=60)),
        ("settings pool off", ModeratorSettingCommand(SettingKey.POOL, number=None)),
        ("settings server-country at",
         ModeratorSettingCommand(SettingKey.SERVER_COUNTRY, ("AT",))),
        ("settings ban <@!123>", ModeratorSettingCommand(SettingKey.BAN, ("123",))),
        ("settings unban @erin", ModeratorSettingCommand(SettingKey.UNBAN, ("erin",))),
        ("audit", AuditCommand()),
        ("audit 5", AuditCommand(5)),
    ],
)
def test_phrasings(text: str, expected: object) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("", ErrorCode.EMPTY, "help"),
        ("   ", ErrorCode.EMPTY, "help"),
        ("x" * 501, ErrorCode.TOO_LONG, "under 500"),
        ("cover \x00 Golden", ErrorCode.BAD_CHARACTERS, "plain text"),
        ("covr Golden Hour", ErrorCode.UNKNOWN_VERB, "`cover`"),
        ("dance", ErrorCode.UNKNOWN_VERB, "help"),
        ("cover", ErrorCode.MISSING_SONG, "cover Golden Hour"),
        ("cover style:lofi", ErrorCode.MISSING_SONG, "cover Golden Hour"),
        ("cover x length:abc", ErrorCode.BAD_LENGTH, "length:30"),
        ("cover x length:0", ErrorCode.BAD_LENGTH, "1 to 600"),
        ("cover x length:601", ErrorCode.BAD_LENGTH, "1 to 600"),
        ("cover x length:-5", ErrorCode.BAD_LENGTH, "1 to 600"),
        ("cover x style:a style:b", ErrorCode.DUPLICATE_OPTION, "Keep one"),
        ("cancel", ErrorCode.MISSING_ID, "status"),
        ("settings country Germany", ErrorCode.BAD_COUNTRY, "settings country DE"),
        ("settings colour red", ErrorCode.UNKNOWN_SETTING, "cooldown"),
        ("settings cooldown soon", ErrorCode.BAD_SETTING_VALUE, "settings cooldown 60"),
        ("settings ban", ErrorCode.BAD_SETTING_VALUE, "needs a value"),
    ],
)
def test_errors_say_what_to_type(text: str, code: ErrorCode, words: str) -> None:
    result = parse_command(text)
    assert isinstance(result, CommandError)
    assert result.code is code
    assert words in result.message + " " + (result.suggestion or "")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_gives_command_or_error(text: str) -> None:
    parse_command(text)  # must not raise


_WORDS = st.sampled_from(
    ["cover", "remix", "by", "style:", "voice:", "length:", "in the style of", "in the voice of",
     '"', "“", "”", "'", "lofi", "8 bit", "Golden", "Hour", "30", "1:30", "settings", "ban",
     "@x", "#c", ":", "/", "!", "drum and bass", "country", "DE", "all"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_WORDS, max_size=12))
def test_grammar_shaped_noise_never_crashes(words: list[str]) -> None:
    result = parse_command(" ".join(words))
    assert result is not None


_TITLE = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters=" &-."),
    min_size=1, max_size=30,
).map(lambda s: " ".join(s.split())).filter(bool)


@settings(max_examples=200, deadline=None)
@given(
    _TITLE,
    st.none() | _TITLE,
    st.none() | st.sampled_from(["lofi", "synthwave", "8-bit", "drum-and-bass", "a-cappella"]),
    st.none() | _TITLE,
    st.none() | st.integers(1, 600),
    st.sampled_from([COVER, REMIX]),
)
def test_format_then_parse_round_trips(
    song: str, artist: str | None, style: str | None, voice: str | None, seconds: int | None,
    kind: Transformation,
) -> None:
    if kind is REMIX:
        voice = None
    elif voice is not None:
        kind = VOICE
    command = CoverCommand(song, artist, style, voice, seconds, kind)
    assert parse_command(format_command(command)) == command
