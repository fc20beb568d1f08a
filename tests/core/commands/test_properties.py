"""Properties over generated input: the parser never raises, and formatting round-trips."""

from __future__ import annotations

import time
import unicodedata

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from core.commands import (
    DEFAULT_STYLE_ALIASES,
    MAX_CHARS,
    ChannelList,
    ChannelRef,
    Command,
    CountryChoice,
    CoverCommand,
    Duration,
    ErrorCode,
    ModeratorSettingCommand,
    ParseError,
    RefKind,
    SettingKey,
    StyleList,
    Switch,
    UserRef,
    VoiceList,
    format_command,
    parse_command,
)
from core.commands._styles import lookup_style
from core.model import Transformation

FUZZ = settings(max_examples=500, deadline=None)
ROUND_TRIP = settings(max_examples=250, deadline=None)  # checked at 6,000 when written


def _is_bad_char(ch: str) -> bool:
    return ch not in "\t\n\r" and unicodedata.category(ch) in ("Cc", "Cs")


@FUZZ
@given(st.text(max_size=2000))
@example("cover \x00")
@example("«" * 600)
def test_any_text_gives_a_command_or_an_error(text: str) -> None:
    result = parse_command(text)
    assert isinstance(result, Command | ParseError)
    stripped = text.strip()
    if len(stripped) > MAX_CHARS:
        assert isinstance(result, ParseError) and result.code is ErrorCode.TOO_LONG
    elif any(_is_bad_char(ch) for ch in stripped):
        assert isinstance(result, ParseError) and result.code is ErrorCode.BAD_CHARACTERS
    if isinstance(result, ParseError):
        assert result.message and len(result.message) < 400


# Pieces of the grammar, including the awkward ones: every quote, keys with
# and without values, words the grammar treats specially inside titles.
_PIECES = [
    "cover", "remix", "/cover", "!remix", "/cover@Bot", "styles", "voices", "status", "cancel",
    "settings", "help", "terms", "audit", "quota", "trace",
    "by", "By", "as", "in the style of", "in the voice of", "with the voice of",
    "style:", "voice:", "length:", "len:", "song:", "title:", "artist:", "by:", "duration:",
    "style:lofi", "length:30", "length:1:30", "length:-3", "voice:\"Ada Nova\"",
    '"', "“", "”", "„", "«", "»", "'", "‘", "’", "「", "」", ",", ":", "#", "@", "`",
    "lofi", "lo fi", "8 bit", "dnb", "drum and bass", "karaoke", "polka", "all", "none", "off",
    "Golden", "Hour", "Stand", "Me", "Don't", "Rockin'", "'Til", "Ada", "Nova", "Mira", "Vale",
    "30", "30s", "2m", "0", "601", "abc", "1a2b3c4d", "#1a2b", "DE", "uk", "clear",
    "country", "server-country", "styles", "voices", "channels", "max-length", "cooldown",
    "pool", "ban", "unban", "disable-style", "enable", "style", "<@123>", "<@!9>", "@erin",
    "<#55>", "#covers", "-100", "accept", "ＣＯＶＥＲ", "\u00ad", "\t", "\n",
    "report", "reports", "resolve", "flag", "user-limit", "nsfw-filter", "nsfw", "on", "reason:",
    "clip:",
]  # fmt: skip
_SEPARATORS = st.sampled_from([" ", " ", " ", "", "  ", "\t"])


@st.composite
def grammar_shaped(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=14))
    text = pieces[0]
    for piece in pieces[1:]:
        text += draw(_SEPARATORS) + piece
    return text


@FUZZ
@given(grammar_shaped())
@example('cover "Stand by Me" by Kai Orin style:lofi')
@example("cover 'Til by X voice:\"Rock 'n' Roll\"")
@example("cover Stand by Me by Ben by: x")
def test_grammar_shaped_text_parses_and_formats_back(text: str) -> None:
    """Whatever a command parses to, its canonical text parses to the same command."""
    result = parse_command(text)
    assert isinstance(result, Command | ParseError)
    if not isinstance(result, ParseError):
        formatted = format_command(result)
        assert parse_command(formatted) == result, formatted


# Titles, artists and voices as people write them: letters in several scripts,
# digits, punctuation (quotes and apostrophes included) and grammar words.
_WORD = st.one_of(
    st.text(
        st.characters(categories=("L", "N", "P", "S"), exclude_characters=":"),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["by", "as", "in", "the", "style", "of", "voice", "style:", "lofi", "all"]),
)
_FREE_TEXT = st.lists(_WORD, min_size=1, max_size=5).map(" ".join)


def _is_canonical_text(text: str) -> bool:
    closers = ['"', "”“", "»", "」", "』"]
    return (
        text == " ".join(text.split())
        and unicodedata.is_normalized("NFC", text)
        and not all(any(c in text for c in group) for group in closers)
    )


@st.composite
def cover_commands(draw: st.DrawFn) -> CoverCommand:
    song = draw(_FREE_TEXT)
    artist = draw(st.none() | _FREE_TEXT)
    style = draw(
        st.none()
        | st.sampled_from(sorted(set(DEFAULT_STYLE_ALIASES.values())))
        | _FREE_TEXT.filter(lambda s: lookup_style(s, DEFAULT_STYLE_ALIASES) is None)
    )
    kind = draw(st.sampled_from(Transformation))
    voice = draw(_FREE_TEXT) if kind is Transformation.VOICE_SWAP else None
    seconds = draw(st.none() | st.integers(1, 600))
    for text in (song, artist, style, voice):
        assume(text is None or _is_canonical_text(text))
    return CoverCommand(song, artist, style, voice, seconds, kind)


@ROUND_TRIP
@given(cover_commands())
@example(CoverCommand("Stand by Me", "Ben E. King", "lofi"))
@example(CoverCommand('Say "Hi" “now”', style="Polka «x»"))
@example(CoverCommand("style:lofi by", "as lofi", transformation=Transformation.REMIX))
def test_cover_round_trips(command: CoverCommand) -> None:
    assert parse_command(format_command(command)) == command


_SLUG = st.text(st.characters(categories=("Ll", "Nd")), min_size=1, max_size=10).filter(
    lambda s: unicodedata.is_normalized("NFC", s)
)
_ID = st.integers(1, 10**18).map(str)


@st.composite
def setting_commands(draw: st.DrawFn) -> ModeratorSettingCommand:
    key = draw(st.sampled_from(SettingKey))
    styles = st.lists(
        st.sampled_from(sorted(set(DEFAULT_STYLE_ALIASES.values()))), min_size=1, unique=True
    ).map(tuple)
    if key is SettingKey.STYLES:
        value: object = StyleList(draw(st.none() | st.just(()) | styles))
    elif key in (SettingKey.DISABLE_STYLE, SettingKey.ENABLE_STYLE):
        value = StyleList(draw(styles))
    elif key is SettingKey.VOICES:
        names = st.lists(_FREE_TEXT.filter(_is_canonical_text), min_size=1, max_size=4, unique=True)
        value = VoiceList(draw(st.none() | st.just(()) | names.map(tuple)))
    elif key is SettingKey.CHANNELS:
        ref = st.builds(ChannelRef, st.just(RefKind.ID), _ID) | st.builds(
            ChannelRef, st.just(RefKind.NAME), _SLUG.filter(lambda s: not s.isdigit())
        )
        refs = st.lists(ref, min_size=1, max_size=6, unique=True).map(tuple)
        value = ChannelList(draw(st.none() | refs))
    elif key is SettingKey.MAX_LENGTH:
        value = Duration(draw(st.none() | st.integers(1, 600)))
    elif key is SettingKey.COOLDOWN:
        value = Duration(draw(st.integers(0, 86_400)))
    elif key is SettingKey.POOL:
        value = Duration(draw(st.none() | st.integers(1, 1_000_000)))
    elif key is SettingKey.USER_LIMIT:
        value = Duration(draw(st.none() | st.integers(1, 86_400)))
    elif key is SettingKey.NSFW_FILTER:
        value = Switch(draw(st.booleans()))
    elif key is SettingKey.SERVER_COUNTRY:
        value = CountryChoice(draw(st.none() | st.sampled_from(["DE", "GB", "US", "JP", "BR"])))
    else:
        value = draw(
            st.builds(UserRef, st.just(RefKind.ID), _ID)
            | st.builds(UserRef, st.just(RefKind.NAME), _SLUG)
        )
    return ModeratorSettingCommand(key, value)  # type: ignore[arg-type]


@ROUND_TRIP
@given(setting_commands())
def test_setting_round_trips(command: ModeratorSettingCommand) -> None:
    assert parse_command(format_command(command)) == command


@pytest.mark.parametrize(
    "text",
    [
        "settings styles " + "a " * 240,  # greedy style matching over many words
        "settings styles " + "lo " * 160,
        "cover " + "'a " * 160,  # single quotes that might close anywhere
        "cover " + "x as " * 95,
        "cover " + "by " * 160,
        "cover " + '"' * 490,
        "cover x " + "in the style of " * 30,
        "c" * 499,
    ],
    ids=lambda text: repr(text[:24]),
)
def test_hostile_messages_do_not_hang_the_parser(text: str) -> None:
    """A hang guard, not a speed target: this once took 2.4 s (catastrophic backtracking)."""
    start = time.perf_counter()
    parse_command(text)
    assert time.perf_counter() - start < 2.0
