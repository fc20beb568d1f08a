"""The generator kinds a recipe may name, each a function of a ``Take``."""

from __future__ import annotations

from engine.styles import _drums, _follow, _texture, _tonal
from engine.styles._take import Generator

GENERATORS: dict[str, Generator] = {
    "breakbeat": _drums.breakbeat,
    "chip_arp": _tonal.chip_arp,
    "chip_drums": _drums.chip_drums,
    "gated_drums": _drums.gated_drums,
    "guitar_strum": _tonal.guitar_strum,
    "lofi_drums": _drums.lofi_drums,
    "pad": _tonal.pad,
    "pluck_bass": _tonal.pluck_bass,
    "pulse_bass": _tonal.pulse_bass,
    "reese_bass": _tonal.reese_bass,
    "saw_arp": _tonal.saw_arp,
    "soft_percussion": _drums.soft_percussion,
    "square_lead": _follow.square_lead,
    "timpani": _drums.timpani,
    "vinyl_crackle": _texture.vinyl_crackle,
}

SCORE_READERS = frozenset(
    {"chip_arp", "guitar_strum", "pad", "pluck_bass", "pulse_bass", "reese_bass", "saw_arp",
     "square_lead"}
)
"""Kinds that play the song's notes (its chords or melody), so a score changes how they sound."""


def follows_score(kinds: list[str]) -> bool:
    """Whether parts of these kinds play from a score: worth transcribing the song for."""
    return any(kind in SCORE_READERS for kind in kinds)
