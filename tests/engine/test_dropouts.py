"""No demo clip has a full-band dropout: parts ring through bar lines as played music does.

Every demo song is rendered whole, once as itself (``original``, which is the
synthesized band as the catalog stores it) and once in a style that generates
parts, the styles taken in turn so the catalog covers each of them; no 20-ms
frame inside the music may be 30 dB below the music either side of it.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from core.catalog import DemoSong, demo_catalog
from engine.analysis import analyse
from engine.styles import STYLE_RECIPES, render_style
from engine.synth import SongSpec, SongStems, render_song
from tests.support.dropouts import dropouts

SR = 44_100
_DEMO = demo_catalog()
_DURATIONS = {r.id: r.duration_s for r in _DEMO.batch.recordings}
_GENERATING = sorted(sid for sid, r in STYLE_RECIPES.items() if r.generates)


@cache
def _render(song: DemoSong) -> SongStems:
    spec = SongSpec(song.title, song.tempo_bpm, song.key, song.progression,
                    _DURATIONS[song.recording_id])
    return render_song(spec, song.seed)


def _cases() -> list[tuple[DemoSong, str]]:
    cases = []
    for index, song in enumerate(_DEMO.songs):
        cases.append((song, "original"))
        cases.append((song, _GENERATING[index % len(_GENERATING)]))
    return cases


@pytest.mark.parametrize(
    ("song", "style_id"), _cases(), ids=lambda x: x.recording_id if isinstance(x, DemoSong) else x
)
def test_demo_song_has_no_full_band_dropout(song: DemoSong, style_id: str) -> None:
    rendered = _render(song)
    stems = rendered.stem_audio()
    section = (0.0, rendered.duration_s - 0.5)
    clip = render_style(STYLE_RECIPES[style_id], stems, SR, section=section, seed=3,
                        analysis=analyse(stems, SR))
    assert dropouts(clip, SR) == []


def _tone(seconds: float) -> np.ndarray:
    t = np.arange(round(seconds * SR)) / SR
    return (0.3 * np.sin(2 * np.pi * 220.0 * t)).astype(np.float32)


def test_the_detector_finds_a_30_ms_hole_between_bars() -> None:
    music = _tone(3.0)
    music[round(1.47 * SR) : round(1.50 * SR)] = 0.0
    found = dropouts(music, SR)
    assert len(found) == 1
    assert 1.46 <= found[0] <= 1.50


def test_the_detector_ignores_fades_rests_and_the_silence_around_the_music() -> None:
    fade = _tone(2.0) * np.linspace(1.0, 0.0, 2 * SR, dtype=np.float32)
    rest = np.zeros(round(0.4 * SR), dtype=np.float32)
    music = np.concatenate([np.zeros(SR // 2, np.float32), _tone(1.0), rest, fade,
                            np.zeros(SR // 2, np.float32)])
    assert dropouts(music, SR) == []
