"""Small value readers and the invariants the command dataclasses enforce."""

from __future__ import annotations

import ast
import pathlib

import pytest

from core.commands import (
    DEFAULT_STYLE_ALIASES,
    CoverCommand,
    Duration,
    ModeratorSettingCommand,
    SettingKey,
    StyleList,
    VoiceList,
    canonical_style,
    parse_length,
)
from core.model import Transformation

LENGTHS = [
    ("30", 30), ("30s", 30), ("30 s", 30), ("30 sec", 30), ("30 seconds", 30),
    ("1:30", 90), ("01:05", 65), ("1:00:00", 3600), ("2m", 120), ("2 min", 120),
    ("1m30s", 90), ("1m30", 90), ("1h", 3600), ("1 hour", 3600), ("0", 0),
    ("３０", 30), ("30S", 30),
    ("", None), ("abc", None), ("-5", None), ("30.5", None), ("1:75", None),
    ("s", None), ("m30", None), ("1e3", None), ("٣٠", None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "seconds"), LENGTHS)
def test_parse_length(text: str, seconds: int | None) -> None:
    assert parse_length(text) == seconds


def test_default_styles_cover_the_stylebook() -> None:
    """Every style Refrain ships is reachable by its id and by its common names."""
    ids = {
        "lofi",
        "synthwave",
        "8-bit",
        "acoustic",
        "orchestral-pad",
        "drum-and-bass",
        "a-cappella",
        "instrumental",
    }
    assert set(DEFAULT_STYLE_ALIASES.values()) == ids
    for style_id in ids:
        assert canonical_style(style_id) == style_id
        assert canonical_style(style_id.upper().replace("-", " ")) == style_id
    for alias, style_id in {
        "lo-fi": "lofi",
        "lo fi": "lofi",
        "8bit": "8-bit",
        "8 bit": "8-bit",
        "chiptune": "8-bit",
        "dnb": "drum-and-bass",
        "karaoke": "instrumental",
        "acapella": "a-cappella",
    }.items():
        assert canonical_style(alias) == style_id


def test_unknown_style_is_kept_as_typed() -> None:
    assert canonical_style("  Death   Metal ") == "Death Metal"


def test_cover_must_say_voice_swap_when_it_has_a_voice() -> None:
    """A voice in a plain COVER would skip the voice-model license checks."""
    with pytest.raises(ValueError, match="VOICE_SWAP"):
        CoverCommand("Golden Hour", voice="Ada Nova")
    with pytest.raises(ValueError, match="VOICE_SWAP"):
        CoverCommand("Golden Hour", voice="Ada Nova", transformation=Transformation.REMIX)
    with pytest.raises(ValueError, match="VOICE_SWAP"):
        CoverCommand("Golden Hour", transformation=Transformation.VOICE_SWAP)
    with pytest.raises(ValueError, match="song"):
        CoverCommand("  ")
    with pytest.raises(ValueError, match="seconds"):
        CoverCommand("Golden Hour", seconds=601)
    with pytest.raises(ValueError, match="never blank"):
        CoverCommand("Golden Hour", style=" ")


def test_setting_value_must_fit_its_key() -> None:
    with pytest.raises(TypeError, match="takes a Duration"):
        ModeratorSettingCommand(SettingKey.COOLDOWN, StyleList(("lofi",)))
    with pytest.raises(TypeError, match="takes a StyleList"):
        ModeratorSettingCommand(SettingKey.STYLES, VoiceList(None))
    with pytest.raises(ValueError, match="at least one style"):
        ModeratorSettingCommand(SettingKey.DISABLE_STYLE, StyleList(()))
    assert ModeratorSettingCommand(SettingKey.COOLDOWN, Duration(0)).number == 0


def test_commands_are_frozen() -> None:
    command = CoverCommand("Golden Hour")
    with pytest.raises(AttributeError):
        command.song = "Other"  # type: ignore[misc]


def test_the_grammar_imports_no_platform_or_storage_library() -> None:
    forbidden = {"discord", "telegram", "aiohttp", "sqlalchemy"}
    package = pathlib.Path(__file__).parents[3] / "core" / "commands"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in forbidden, (path.name, name)
