"""Canonical text of commands (what buttons send) and the help pages."""

from __future__ import annotations

import pytest

from core.commands import (
    AuditCommand,
    CancelCommand,
    ChannelList,
    ChannelRef,
    Command,
    CountryChoice,
    CoverCommand,
    Duration,
    HelpCommand,
    ModeratorSettingCommand,
    ParseError,
    RefKind,
    SetCountryCommand,
    SettingKey,
    StatusCommand,
    StyleList,
    StylesCommand,
    UserRef,
    VoiceList,
    format_command,
    help_text,
    parse_command,
)
from core.model import Transformation

VERBS = [
    "cover",
    "remix",
    "styles",
    "voices",
    "quota",
    "status",
    "cancel",
    "trace",
    "terms",
    "settings",
    "audit",
    "help",
]


@pytest.mark.parametrize(
    ("command", "text"),
    [
        (CoverCommand("Golden Hour", style="lofi"), 'cover "Golden Hour" style:lofi'),
        (
            CoverCommand("Stand by Me", "Kai Orin", "lofi", seconds=30),
            'cover "Stand by Me" by "Kai Orin" style:lofi length:30',
        ),
        (
            CoverCommand("Golden Hour", voice="Ada Nova", transformation=Transformation.VOICE_SWAP),
            'cover "Golden Hour" voice:"Ada Nova"',
        ),
        (
            CoverCommand("Golden Hour", style="drum-and-bass", transformation=Transformation.REMIX),
            'remix "Golden Hour" style:drum-and-bass',
        ),
        (CoverCommand('Say "Hi"', style="Polka Punk"), 'cover “Say "Hi"” style:"Polka Punk"'),
        # an artist split off an unquoted title stays unquoted, keeping `unsplit`
        (
            CoverCommand("golden hour", "Mira Vale", "lofi", unsplit="golden hour by Mira Vale"),
            "cover golden hour by Mira Vale style:lofi",
        ),
        (StylesCommand("Golden Hour"), 'styles "Golden Hour"'),
        (StatusCommand(), "status"),
        (CancelCommand("1a2b3c4d"), "cancel 1a2b3c4d"),
        (HelpCommand("cover"), "help cover"),
        (SetCountryCommand(None), "settings country clear"),
        (
            ModeratorSettingCommand(SettingKey.STYLES, StyleList(("lofi", "8-bit"))),
            "settings styles lofi, 8-bit",
        ),
        (
            ModeratorSettingCommand(SettingKey.VOICES, VoiceList(("Ada Nova", "Kai, Jr."))),
            'settings voices Ada Nova, "Kai, Jr."',
        ),
        (
            ModeratorSettingCommand(
                SettingKey.CHANNELS,
                ChannelList((ChannelRef(RefKind.ID, "55"), ChannelRef(RefKind.NAME, "covers"))),
            ),
            "settings channels 55 #covers",
        ),
        (ModeratorSettingCommand(SettingKey.POOL, Duration(None)), "settings pool off"),
        (
            ModeratorSettingCommand(SettingKey.SERVER_COUNTRY, CountryChoice("DE")),
            "settings server-country DE",
        ),
        (ModeratorSettingCommand(SettingKey.BAN, UserRef(RefKind.ID, "42")), "settings ban <@42>"),
        (AuditCommand(50), "audit 50"),
    ],
    ids=repr,
)
def test_canonical_text(command: Command, text: str) -> None:
    assert format_command(command) == text
    assert parse_command(text) == command


def test_unsplit_that_cannot_be_kept_falls_back_to_quotes() -> None:
    """A hand-made ``unsplit`` that is not "<song> by <artist>" is not reproducible."""
    command = CoverCommand("A", "B", unsplit="something else")
    assert format_command(command) == 'cover "A" by "B"'


def test_cheat_sheet_shows_every_command_with_an_example() -> None:
    sheet = help_text()
    for word in VERBS:
        assert f"`{word}" in sheet, word
    for line in sheet.splitlines()[1:]:
        assert "`" in line, line  # every line has something to copy
    assert len(sheet) < 1000  # one phone screen


@pytest.mark.parametrize(
    ("topic", "words"),
    [
        ("cover", 'cover "Stand by Me" by Kai Orin style:lofi'),
        ("COVER", "length:1:30"),
        ("/remix", "keeps the original singer"),
        ("style", "8-bit"),
        ("settings", "settings server-country DE"),
        ("settings", "settings disable-style synthwave"),
        ("cancel", "gives its seconds back"),
        ("trace", "watermark"),
    ],
)
def test_topic_pages(topic: str, words: str) -> None:
    assert words in help_text(topic)


def test_every_example_in_help_parses() -> None:
    """The examples people copy from help must work when pasted."""
    pages = [help_text(), *(help_text(verb) for verb in VERBS)]
    examples = [
        part
        for page in pages
        for part in page.split("`")[1::2]  # the text between backticks
        if part.split()[0] in VERBS and "<" not in part and "[" not in part
    ]
    assert len(examples) > 30
    for example in examples:
        result = parse_command(example)
        assert not isinstance(result, ParseError), (example, result)


def test_unknown_topic_says_so_and_shows_the_sheet() -> None:
    text = help_text("dancing")
    assert text.startswith("I have no help on “dancing”.")
    assert help_text() in text


def test_help_command_topic_feeds_help_text() -> None:
    command = parse_command("help /Style")
    assert command == HelpCommand("styles")
    assert help_text(command.topic) == help_text("styles")
