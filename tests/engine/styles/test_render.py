"""Every style renders the requested section, deterministically, and sounds its part."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import numpy.typing as npt
import pytest

from engine.analysis import Analysis, analyse
from engine.styles import STYLE_RECIPES, preview, render_style, source_seconds
from tests.support.stems import SR, song

Stems = dict[str, npt.NDArray[np.float32]]
SECTION = (4.0, 8.0)


@pytest.fixture(scope="module")
def renders(stems: Stems, analysis: Analysis) -> dict[str, npt.NDArray[np.float32]]:
    return {
        sid: render_style(r, stems, SR, section=SECTION, seed=1, analysis=analysis)
        for sid, r in STYLE_RECIPES.items()
    }


@pytest.mark.parametrize("style_id", sorted(STYLE_RECIPES))
def test_renders_finite_audio_of_exactly_the_section(
    style_id: str, renders: dict[str, npt.NDArray[np.float32]]
) -> None:
    y = renders[style_id]
    assert y.dtype == np.float32
    assert y.shape == (2, int(4.0 * SR))
    assert np.isfinite(y).all()
    assert float(np.sqrt(np.mean(y**2))) > 1e-3


@pytest.mark.parametrize("style_id", sorted(STYLE_RECIPES))
def test_same_seed_same_samples(
    style_id: str, stems: Stems, analysis: Analysis, renders: dict[str, npt.NDArray[np.float32]]
) -> None:
    again = render_style(
        STYLE_RECIPES[style_id], stems, SR, section=SECTION, seed=1, analysis=analysis
    )
    assert np.array_equal(again, renders[style_id])


def test_seed_varies_generated_texture(
    stems: Stems, analysis: Analysis, renders: dict[str, npt.NDArray[np.float32]]
) -> None:
    other = render_style(
        STYLE_RECIPES["lofi"], stems, SR, section=SECTION, seed=2, analysis=analysis
    )
    assert not np.array_equal(other, renders["lofi"])


def test_analysis_is_computed_when_not_given(
    stems: Stems, renders: dict[str, npt.NDArray[np.float32]]
) -> None:
    y = render_style(STYLE_RECIPES["synthwave"], stems, SR, section=SECTION, seed=1)
    assert np.array_equal(y, renders["synthwave"])


def _spectrogram_db(y: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    mono = y.mean(axis=0)
    frames = np.lib.stride_tricks.sliding_window_view(mono, 2048)[::1024] * np.hanning(2048)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    freqs = np.fft.rfftfreq(2048, 1.0 / SR)
    band = np.digitize(freqs, np.geomspace(40.0, 16000.0, 25)) - 1
    bands = np.stack([power[:, band == b].sum(axis=1) for b in range(24)], axis=1)
    db: npt.NDArray[np.float64] = 10.0 * np.log10(np.maximum(bands / bands.max(), 1e-6))
    return db


def test_styles_sound_different(renders: dict[str, npt.NDArray[np.float32]]) -> None:
    spectra = {sid: _spectrogram_db(y) for sid, y in renders.items()}
    for a, b in itertools.combinations(sorted(spectra), 2):
        distance = float(np.mean(np.abs(spectra[a] - spectra[b])))
        # Karaoke and the original differ by the vocal alone.
        floor = 0.3 if {a, b} == {"instrumental", "original"} else 3.0
        assert distance > floor, (a, b, distance)


def _only(stems: Stems, keep: str) -> Stems:
    return {k: (v if k == keep else np.zeros_like(v)) for k, v in stems.items()}


def test_a_cappella_has_no_drums_and_instrumental_no_vocals(
    stems: Stems, analysis: Analysis
) -> None:
    acap, inst = STYLE_RECIPES["a-cappella"], STYLE_RECIPES["instrumental"]
    drums_only = render_style(
        acap, _only(stems, "drums"), SR, section=SECTION, seed=0, analysis=analysis
    )
    vocals_only = render_style(
        inst, _only(stems, "vocals"), SR, section=SECTION, seed=0, analysis=analysis
    )
    assert float(np.abs(drums_only).max()) < 1e-6
    assert float(np.abs(vocals_only).max()) < 1e-6
    voice = render_style(
        acap, _only(stems, "vocals"), SR, section=SECTION, seed=0, analysis=analysis
    )
    assert float(np.sqrt(np.mean(voice**2))) > 1e-2


def test_original_is_the_plain_sum(
    stems: Stems, renders: dict[str, npt.NDArray[np.float32]]
) -> None:
    a, b = (int(t * SR) for t in SECTION)
    total = sum(v[:, a:b] for v in stems.values())
    assert np.allclose(renders["original"], total, atol=1e-5)


@pytest.mark.parametrize("bpm", [96.0, 120.0, 140.0])
def test_drum_and_bass_lands_at_170_to_175_bpm(bpm: float) -> None:
    stems = song(bpm, 20.0, seed=3)
    a = analyse(stems)
    y = render_style(
        STYLE_RECIPES["drum-and-bass"], stems, SR, section=(2.0, 12.0), seed=0, analysis=a
    )
    assert 169.0 <= analyse(y).tempo_bpm <= 176.0


def test_lofi_slows_the_song_like_a_tape(
    stems: Stems, analysis: Analysis, renders: dict[str, npt.NDArray[np.float32]]
) -> None:
    measured = analyse({"drums": renders["lofi"]}).tempo_bpm
    assert measured == pytest.approx(analysis.tempo_bpm * 0.92, rel=0.02)
    assert source_seconds(STYLE_RECIPES["lofi"], 10.0, analysis) == pytest.approx(9.2)


def test_a_section_past_the_end_moves_back_to_fit(stems: Stems, analysis: Analysis) -> None:
    dnb = STYLE_RECIPES["drum-and-bass"]
    assert source_seconds(dnb, 4.0, analysis) > 4.0
    y = render_style(dnb, stems, SR, section=(10.0, 14.0), seed=0, analysis=analysis)
    assert y.shape == (2, 4 * SR)
    assert float(np.sqrt(np.mean(y[:, -SR:] ** 2))) > 1e-2  # not running on empty


def test_preview_is_five_seconds(stems: Stems, analysis: Analysis) -> None:
    y = preview(STYLE_RECIPES["acoustic"], stems, SR, analysis=analysis)
    assert y.shape == (2, 5 * SR)
    assert np.isfinite(y).all()


def test_a_silent_replaced_stem_still_gets_a_part(stems: Stems, analysis: Analysis) -> None:
    no_drums = {**stems, "drums": np.zeros_like(stems["drums"])}
    recipe = replace(
        STYLE_RECIPES["synthwave"],
        stem_gains={"other": 0.0, "vocals": 0.0, "pad": 0.0, "bass": 0.0},
    )
    y = render_style(recipe, no_drums, SR, section=SECTION, seed=0, analysis=analysis)
    assert float(np.sqrt(np.mean(y**2))) > 1e-3
