"""The demo synthesizer: deterministic, well-formed stems that sum to the mix and sound sung."""

from __future__ import annotations

import numpy as np
import pytest

from core.catalog.demo import demo_catalog
from engine.synth import STEM_NAMES, SongSpec, SongStems, parse_chord, render_song

SHORT = SongSpec("Test Song", 140.0, "A minor", ("Am", "F", "C", "G"), duration_s=12.0)
SEED = 7


@pytest.fixture(scope="module")
def song() -> SongStems:
    return render_song(SHORT, SEED)


def _band_share(x: np.ndarray, sr: int, lo: float, hi: float) -> float:
    power = np.abs(np.fft.rfft(x.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / sr)
    return float(power[(freqs >= lo) & (freqs <= hi)].sum() / power.sum())


def test_same_seed_is_bit_identical(song: SongStems) -> None:
    again = render_song(SHORT, SEED)
    for name in STEM_NAMES:
        assert again.stems[name].tobytes() == song.stems[name].tobytes()


def test_another_seed_gives_another_song(song: SongStems) -> None:
    other = render_song(SHORT, SEED + 1)
    assert not np.array_equal(other.stems["vocals"], song.stems["vocals"])


def test_stems_are_stereo_float32_at_44k(song: SongStems) -> None:
    assert song.sample_rate == 44_100
    assert set(song.stems) == set(STEM_NAMES)
    shapes = {audio.shape for audio in song.stems.values()}
    assert len(shapes) == 1 and next(iter(shapes))[0] == 2
    assert all(audio.dtype == np.float32 for audio in song.stems.values())


def test_stems_sum_to_the_mix_without_clipping(song: SongStems) -> None:
    mix = song.mix()
    total = np.zeros_like(mix)
    for audio in song.stems.values():
        total += audio
    assert np.array_equal(total, mix)
    assert np.all(np.isfinite(mix))
    assert 0.5 < float(np.max(np.abs(mix))) < 1.0
    for name, audio in song.stems.items():
        rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
        assert 0.01 < rms < 0.5, name


def test_vocals_sit_in_the_voice_band(song: SongStems) -> None:
    assert _band_share(song.stems["vocals"][0], song.sample_rate, 200, 4000) > 0.95
    assert _band_share(song.stems["bass"][0], song.sample_rate, 0, 300) > 0.8


def test_the_chorus_is_louder_than_the_intro(song: SongStems) -> None:
    """Section picking needs a real contrast: no drums in the intro, full drums in the chorus."""
    sr, bar = song.sample_rate, 4 * 60 / SHORT.tempo_bpm
    drums = song.stems["drums"][0].astype(np.float64)

    def bar_rms(index: int) -> float:
        return float(np.sqrt(np.mean(drums[int(index * bar * sr) : int((index + 1) * bar * sr)] ** 2)))

    rms = [bar_rms(i) for i in range(int(song.duration_s // bar))]
    assert rms[0] == 0.0
    assert max(rms) > 1.5 * sorted(rms)[len(rms) // 2 - 1]


def test_kicks_land_on_the_beat(song: SongStems) -> None:
    """The first drum onset after the intro falls on a beat of the grid."""
    sr, beat = song.sample_rate, 60 / SHORT.tempo_bpm
    drums = np.abs(song.stems["drums"][0])
    first = int(np.argmax(drums > 1e-3))
    assert (first / sr) % beat == pytest.approx(0.0, abs=0.002)


def test_demo_songs_are_at_least_thirty_seconds() -> None:
    demo = demo_catalog()
    shortest = min(demo.batch.recordings, key=lambda r: r.duration_s)
    song = next(s for s in demo.songs if s.recording_id == shortest.id)
    spec = SongSpec(song.title, song.tempo_bpm, song.key, song.progression, shortest.duration_s)
    rendered = render_song(spec, song.seed)
    assert rendered.duration_s >= max(30.0, shortest.duration_s)


@pytest.mark.parametrize(("name", "expected"), [("Am", (9, True)), ("F#m", (6, True)), ("Bb", (10, False))])
def test_parse_chord(name: str, expected: tuple[int, bool]) -> None:
    assert parse_chord(name) == expected
