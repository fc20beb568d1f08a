"""Realistic ways people ask for a cover, and the command each one means."""

from __future__ import annotations

import pytest

from core.commands import CoverCommand, ParseError, parse_command
from core.model import Transformation

COVER, REMIX, VOICE = Transformation.COVER, Transformation.REMIX, Transformation.VOICE_SWAP
GH = "Golden Hour"

PHRASINGS = [
    # the spec's own examples
    ('cover "Golden Hour" style:lofi', CoverCommand(GH, style="lofi")),
    ("cover Golden Hour in the style of synthwave", CoverCommand(GH, style="synthwave")),
    (
        "Cover golden hour by Mira Vale style: lo-fi",
        CoverCommand("golden hour", "Mira Vale", "lofi", unsplit="golden hour by Mira Vale"),
    ),
    ('cover "Stand by Me" by Kai Orin style:lofi', CoverCommand("Stand by Me", "Kai Orin", "lofi")),
    # prefixes, case, width and whitespace
    ('/cover "Golden Hour" style:lofi', CoverCommand(GH, style="lofi")),
    ("!cover Golden Hour style:lofi", CoverCommand(GH, style="lofi")),
    ("/cover@RefrainBot Golden Hour style:lofi", CoverCommand(GH, style="lofi")),
    ("COVER Golden Hour STYLE:LOFI", CoverCommand(GH, style="lofi")),
    ("ＣＯＶＥＲ Golden Hour style:lofi", CoverCommand(GH, style="lofi")),
    ("  cover\tGolden   Hour \n style:lofi  ", CoverCommand(GH, style="lofi")),
    ("cover   Golden    Hour   ", CoverCommand(GH)),
    # every kind of quote
    ("cover “Golden Hour” style:lofi", CoverCommand(GH, style="lofi")),
    ("cover ‘Golden Hour’ style:8bit", CoverCommand(GH, style="8-bit")),
    ("cover „Golden Hour“ style:lofi", CoverCommand(GH, style="lofi")),
    ("cover « Golden Hour » style:lofi", CoverCommand(GH, style="lofi")),
    ("cover 「Golden Hour」 style:lofi", CoverCommand(GH, style="lofi")),
    ("cover 'Golden Hour' style:lofi", CoverCommand(GH, style="lofi")),
    ('cover "Golden Hour"style:lofi', CoverCommand(GH, style="lofi")),
    # apostrophes stay letters
    ("cover ‘Don’t Stop’ style:lofi", CoverCommand("Don’t Stop", style="lofi")),
    ("cover Don't Stop Me Now style:acoustic", CoverCommand("Don't Stop Me Now", style="acoustic")),
    ("cover Rock 'n' Roll Night style:8-bit", CoverCommand("Rock 'n' Roll Night", style="8-bit")),
    ("cover 'Til Dawn style:lofi", CoverCommand("'Til Dawn", style="lofi")),
    # a quote that never closes is dropped rather than kept in the title
    ('cover "Golden Hour style:lofi', CoverCommand(GH, style="lofi")),
    # Discord slash-option form
    (
        'cover song:"Golden Hour" artist:"Mira Vale" style:lofi length:30',
        CoverCommand(GH, "Mira Vale", "lofi", seconds=30),
    ),
    (
        'cover "Golden Hour" voice:"Ada Nova"',
        CoverCommand(GH, voice="Ada Nova", transformation=VOICE),
    ),
    ("cover Golden Hour style:lofi length:30s", CoverCommand(GH, style="lofi", seconds=30)),
    ("cover Golden Hour style:lofi length:1:30", CoverCommand(GH, style="lofi", seconds=90)),
    ("cover Golden Hour length: 45 seconds style:lofi", CoverCommand(GH, style="lofi", seconds=45)),
    ("cover Golden Hour style:lofi length:2m", CoverCommand(GH, style="lofi", seconds=120)),
    ("cover Golden Hour style:lofi duration:1m30s", CoverCommand(GH, style="lofi", seconds=90)),
    ("cover Golden Hour title:x", None),  # see test_song_given_twice
    # style names: aliases, spaces, case, unknown kept as typed
    ("cover Golden Hour style:8 bit", CoverCommand(GH, style="8-bit")),
    ("cover Golden Hour style:drum and bass", CoverCommand(GH, style="drum-and-bass")),
    ("cover Golden Hour style:DnB", CoverCommand(GH, style="drum-and-bass")),
    ("cover Golden Hour style:Lo_Fi", CoverCommand(GH, style="lofi")),
    ("cover Golden Hour style:karaoke", CoverCommand(GH, style="instrumental")),
    ("cover Golden Hour style:acapella", CoverCommand(GH, style="a-cappella")),
    ("cover Golden Hour style:chiptune", CoverCommand(GH, style="8-bit")),
    ("cover Golden Hour style:Polka Punk", CoverCommand(GH, style="Polka Punk")),
    ("cover Golden Hour in the style of drum & bass", CoverCommand(GH, style="drum-and-bass")),
    # voices
    (
        "cover Golden Hour in the voice of Ada Nova",
        CoverCommand(GH, voice="Ada Nova", transformation=VOICE),
    ),
    (
        "cover Golden Hour with the voice of Ada Nova style:acoustic",
        CoverCommand(GH, style="acoustic", voice="Ada Nova", transformation=VOICE),
    ),
    (
        "cover Golden Hour in the style of lo fi in the voice of Ada Nova",
        CoverCommand(GH, style="lofi", voice="Ada Nova", transformation=VOICE),
    ),
    (
        "cover Golden Hour by Mira Vale voice:'Ada Nova' length:20",
        CoverCommand(
            GH,
            "Mira Vale",
            voice="Ada Nova",
            seconds=20,
            transformation=VOICE,
            unsplit="Golden Hour by Mira Vale",
        ),
    ),
    # options in any order
    (
        "cover Golden Hour length:30 style:lofi by Mira Vale",
        CoverCommand(GH, "Mira Vale", "lofi", seconds=30, unsplit="Golden Hour by Mira Vale"),
    ),
    # `by`: the last unquoted one separates the artist
    (
        "cover Stand by Me by Ben E. King",
        CoverCommand("Stand by Me", "Ben E. King", unsplit="Stand by Me by Ben E. King"),
    ),
    ("cover By the Sea style:lofi", CoverCommand("By the Sea", style="lofi")),
    ('cover "Stand by Me" artist:"Ben E. King"', CoverCommand("Stand by Me", "Ben E. King")),
    ("cover Stand by Me artist:Kai", CoverCommand("Stand by Me", "Kai")),
    ('cover "Golden Hour" by "Mira Vale"', CoverCommand(GH, "Mira Vale")),
    # `as` only when a known style follows
    ("cover Golden Hour as lofi", CoverCommand(GH, style="lofi")),
    ("cover Golden Hour as lo-fi length:30", CoverCommand(GH, style="lofi", seconds=30)),
    ("cover As It Was as 8 bit", CoverCommand("As It Was", style="8-bit")),
    ("cover Same as Ever", CoverCommand("Same as Ever")),
    ("cover Golden Hour as lofi style:acoustic", None),  # see test_as_yields_to_explicit_style
    (
        "cover Golden Hour by Mira Vale as synthwave",
        CoverCommand(GH, "Mira Vale", "synthwave", unsplit="Golden Hour by Mira Vale"),
    ),
    # remix
    ("remix Golden Hour style:dnb", CoverCommand(GH, style="drum-and-bass", transformation=REMIX)),
    (
        "/remix “Golden Hour” by Mira Vale style:synthwave length:1:00",
        CoverCommand(GH, "Mira Vale", "synthwave", seconds=60, transformation=REMIX),
    ),
    ("remix Golden Hour", CoverCommand(GH, transformation=REMIX)),
    # no style is fine: the use case asks which one
    ("cover Golden Hour", CoverCommand(GH)),
    # invisible characters from copy-paste are dropped
    ("cover Golden\u00ad Hour\ufeff style:lofi", CoverCommand(GH, style="lofi")),
    # so are bidirectional controls, which would reorder the text echoed back
    ("cover \u202eGolden\u200f Hour\u2066 style:\u061clofi\u2069", CoverCommand(GH, style="lofi")),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for t, e in PHRASINGS if e is not None], ids=repr
)
def test_phrasing_means(text: str, expected: CoverCommand) -> None:
    assert parse_command(text) == expected


def test_there_are_many_phrasings() -> None:
    assert len(PHRASINGS) >= 30


def test_as_yields_to_explicit_style() -> None:
    command = parse_command("cover Golden Hour as lofi style:acoustic")
    assert command == CoverCommand("Golden Hour as lofi", style="acoustic")


def test_song_given_twice() -> None:
    result = parse_command("cover Golden Hour title:x")
    assert isinstance(result, ParseError)
    assert "song twice" in result.message


def test_known_styles_decide_normalisation() -> None:
    house = {"deep house": "house", "house": "house"}
    assert parse_command("cover X style:Deep-House", known_styles=house) == CoverCommand(
        "X", style="house"
    )
    # with no aliases every style is kept as typed, and `as` never splits
    assert parse_command("cover X style:Lo-Fi", known_styles={}) == CoverCommand("X", style="Lo-Fi")
    assert parse_command("cover X as lofi", known_styles={}) == CoverCommand("X as lofi")
    # None means the defaults
    assert parse_command("cover X style:dnb", known_styles=None) == CoverCommand(
        "X", style="drum-and-bass"
    )


def test_unsplit_only_when_an_unquoted_title_was_split() -> None:
    split = parse_command("cover Stand by Me style:lofi")
    assert split == CoverCommand("Stand", "Me", "lofi", unsplit="Stand by Me")
    quoted = parse_command('cover "Stand by Me" style:lofi')
    assert quoted == CoverCommand("Stand by Me", style="lofi")
