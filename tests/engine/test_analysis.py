"""Tempo, beats, key, chords and section choice on signals whose answers are known."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.analysis import Analysis, analyse, choose_section
from tests.support.stems import A_MINOR, C_MAJOR, SR, clicks, drums, song


@pytest.mark.parametrize("bpm", [90.0, 120.0, 174.0])
def test_click_track_tempo_and_beat_phase(bpm: float) -> None:
    a = analyse({"drums": clicks(bpm, 20.0, offset=0.1)})
    assert a.tempo_bpm == pytest.approx(bpm, abs=1.0)
    beats = a.beat_times()
    truth = 0.1 + np.arange(int((20.0 - 0.1) * bpm / 60)) * 60.0 / bpm
    nearest = np.abs(beats[:, None] - truth[None, :]).min(axis=0)
    assert float(np.median(nearest)) < 0.015
    # The accented click opens each bar.
    assert a.downbeat_s == pytest.approx(0.1, abs=0.02)


@pytest.mark.parametrize("bpm", [84.0, 96.0, 128.0, 172.0])
def test_drum_kit_tempo_has_no_octave_error(bpm: float) -> None:
    """Eighth-note hats must not pass for beats, nor kick+snare for half-time."""
    assert analyse({"drums": drums(bpm, 20.0)}).tempo_bpm == pytest.approx(bpm, abs=1.0)


@pytest.mark.parametrize(("chords", "key"), [(C_MAJOR, "C major"), (A_MINOR, "A minor")])
def test_key_and_chords_per_bar(chords: tuple[str, ...], key: str) -> None:
    a = analyse(song(100.0, 24.0, chords))
    assert a.key.name == key
    assert a.tempo_bpm == pytest.approx(100.0, abs=1.0)
    assert a.bar_starts[0] == pytest.approx(0.0, abs=0.03)
    bars = len(a.chords) - 1  # the last bar is cut short by the end of the song
    assert [c.name for c in a.chords[:bars]] == [chords[i % len(chords)] for i in range(bars)]


def test_works_on_a_plain_mix_and_on_mono() -> None:
    stems = song(110.0, 16.0, C_MAJOR)
    mix = sum(stems.values())
    assert isinstance(mix, np.ndarray)
    for audio in (mix, mix.mean(axis=0)):
        a = analyse(audio)
        assert a.tempo_bpm == pytest.approx(110.0, abs=1.0)
        assert a.key.name == "C major"


def test_analysis_is_plain_data() -> None:
    a = analyse(song(120.0, 8.0))
    data = json.loads(json.dumps(a.to_dict()))
    assert Analysis.from_dict(data) == a
    assert len(a.bar_energy) == len(a.bar_starts) == len(a.chords) == len(a.bar_chroma)
    assert hash(a) == hash(analyse(song(120.0, 8.0)))


def test_choose_section_finds_the_loud_part_on_a_bar_line() -> None:
    stems = song(120.0, 40.0, A_MINOR, loud=(24.0, 32.0))
    a = analyse(stems)
    start, end = choose_section(stems, 8.0)
    assert start == pytest.approx(24.0, abs=0.05)
    assert end - start == pytest.approx(8.0)
    assert min(abs(start - b) for b in a.bar_starts) < 1e-3
    assert choose_section(None, 8.0, analysis=a) == (start, end)  # deterministic
    mix = sum(stems.values())
    assert isinstance(mix, np.ndarray)
    assert choose_section(mix, 8.0)[0] == pytest.approx(24.0, abs=0.05)


def test_choose_section_prefers_repeated_harmony_when_loudness_ties() -> None:
    """Bars 8-11 hold a one-off chord change; the window should avoid them."""
    chords = ("Am", "Dm", "E", "Am") * 2 + ("C", "G", "F", "Em") + ("Am", "Dm", "E", "Am") * 2
    stems = song(120.0, 40.0, chords)
    start, end = choose_section(stems, 8.0)
    assert end <= 16.05 or start >= 23.95


def test_whole_song_when_the_request_is_longer() -> None:
    stems = song(120.0, 10.0)
    start, end = choose_section(stems, 30.0)
    assert start == 0.0
    assert end == pytest.approx(10.0)


def test_silence_does_not_crash() -> None:
    a = analyse({"drums": np.zeros((2, SR * 4), np.float32)})
    assert isinstance(a, Analysis) and a.tempo_bpm > 0
