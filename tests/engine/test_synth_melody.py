"""The sung line stays in key and at an even level (needs the proposed synth patch)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import engine.synth.song as song_module
from engine.synth import SongSpec, render_song
from engine.synth.instruments import sung_note

MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)


@pytest.mark.parametrize(
    ("key", "progression", "tonic", "steps"),
    [
        ("C minor", ("Cm", "Ab", "Eb", "Bb"), 0, MINOR),
        ("F major", ("F", "Dm", "Bb", "C"), 5, MAJOR),
        ("E major", ("E", "C#m", "A", "B"), 4, MAJOR),
    ],
)
def test_every_sung_note_is_in_key(
    monkeypatch: pytest.MonkeyPatch, key: str, progression: tuple[str, ...], tonic: int,
    steps: tuple[int, ...],
) -> None:
    notes: list[float] = []

    def spy(note: float, *args: Any, **kwargs: Any) -> Any:
        notes.append(note)
        return sung_note(note, *args, **kwargs)

    monkeypatch.setattr(song_module, "sung_note", spy)
    scale = {(tonic + s) % 12 for s in steps}
    for seed in range(3):
        render_song(SongSpec("Key Test", 160.0, key, progression, duration_s=12.0), seed)
    assert notes
    assert [n for n in notes if int(n) % 12 not in scale] == []


def test_syllables_are_levelled_across_vowels_and_pitches() -> None:
    levels = [
        float(np.sqrt(np.mean(sung_note(note, 0.4, vowel, 44_100, np.random.default_rng(1)) ** 2)))
        for vowel in "aeiou"
        for note in range(67, 82, 2)
    ]
    assert max(levels) / min(levels) < 1.5  # the formant/harmonic lottery used to swing ~15x
