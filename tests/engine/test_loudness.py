"""The BS.1770-4 meter against values known from the standard and by analysis."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray

from engine.loudness import (
    integrated_loudness,
    k_weighting_sos,
    sample_peak_db,
    true_peak,
    true_peak_db,
    true_peak_envelope,
)
from tests.engine.render_signals import sine, song, stereo

# BS.1770-4 Annex 2 phases 0 and 1, typed in again so the oracle does not
# share the module's transcription; phases 2 and 3 are their mirror images.
_PHASE_0 = [
    0.0017089843750, 0.0109863281250, -0.0196533203125, 0.0332031250000,
    -0.0594482421875, 0.1373291015625, 0.9721679687500, -0.1022949218750,
    0.0476074218750, -0.0266113281250, 0.0148925781250, -0.0083007812500,
]  # fmt: skip
_PHASE_1 = [
    -0.0291748046875, 0.0292968750000, -0.0517578125000, 0.0891113281250,
    -0.1665039062500, 0.4650878906250, 0.7797851562500, -0.2003173828125,
    0.1015625000000, -0.0582275390625, 0.0330810546875, -0.0189208984375,
]  # fmt: skip
_PHASES = [_PHASE_0, _PHASE_1, _PHASE_1[::-1], _PHASE_0[::-1]]


def _brute_force_phases(row: NDArray[np.float32]) -> NDArray[np.float64]:
    """All four interpolated phases, computed the slow, obvious way: (phases, n + 11)."""
    return np.stack([np.convolve(row.astype(np.float64), phase) for phase in _PHASES])


def test_k_weighting_reproduces_the_published_48k_coefficients() -> None:
    shelf_b = [1.53512485958697, -2.69169618940638, 1.19839281085285]
    shelf_a = [1.0, -1.69065929318241, 0.73248077421585]
    highpass_b = [1.0, -2.0, 1.0]
    highpass_a = [1.0, -1.99004745483398, 0.99007225036621]
    published = [shelf_b + shelf_a, highpass_b + highpass_a]
    np.testing.assert_allclose(k_weighting_sos(48_000), published, atol=1e-12)


def test_full_scale_997_hz_sine_on_one_channel_reads_minus_3_01_lufs() -> None:
    tone = sine(997, 5.0, 48_000)
    assert integrated_loudness(np.stack([tone, np.zeros_like(tone)]), 48_000) == pytest.approx(
        -3.01, abs=0.01
    )
    assert integrated_loudness(tone, 48_000) == pytest.approx(-3.01, abs=0.01)


@pytest.mark.parametrize("sample_rate", [22_050, 32_000, 44_100, 48_000, 96_000])
def test_stereo_minus_20_dbfs_1_khz_sine_reads_minus_20_lufs_at_any_rate(sample_rate: int) -> None:
    tone = stereo(sine(1000, 3.0, sample_rate, dbfs=-20.0))
    assert integrated_loudness(tone, sample_rate) == pytest.approx(-20.0, abs=0.1)


def test_silence_and_sound_under_the_absolute_gate_read_minus_infinity() -> None:
    assert integrated_loudness(np.zeros((2, 48_000), dtype=np.float32), 48_000) == -math.inf
    assert integrated_loudness(np.zeros((2, 0), dtype=np.float32), 48_000) == -math.inf
    whisper = stereo(sine(1000, 2.0, 48_000, dbfs=-80.0))
    assert integrated_loudness(whisper, 48_000) == -math.inf


def test_absolute_gate_ignores_silent_stretches() -> None:
    tone = sine(1000, 20.0, 48_000, dbfs=-20.0)
    gaps = np.concatenate([np.zeros(48_000 * 4), tone, np.zeros(48_000 * 6)]).astype(np.float32)
    # Ungated, the silence would pull this to −21.8; the six blocks straddling
    # the edges, partly silent, still count and cost about 0.07 LU.
    assert integrated_loudness(stereo(gaps), 48_000) == pytest.approx(-20.07, abs=0.05)


def test_relative_gate_ignores_passages_10_lu_below_the_rest() -> None:
    loud = sine(1000, 10.0, 48_000, dbfs=-20.0)
    quiet = sine(1000, 10.0, 48_000, dbfs=-40.0)
    # Without the relative gate the mean would read about −22.97 LUFS.
    both = stereo(np.concatenate([loud, quiet]))
    assert integrated_loudness(both, 48_000) == pytest.approx(-20.0, abs=0.1)


def test_clips_shorter_than_one_block_still_get_a_reading() -> None:
    for seconds in (0.05, 0.25):
        tone = stereo(sine(1000, seconds, 48_000, dbfs=-20.0))
        assert integrated_loudness(tone, 48_000) == pytest.approx(-20.0, abs=0.2)


def test_inter_sample_peak_reads_above_the_sample_peak() -> None:
    # A quarter-rate sine sampled 45° off its crests: samples at ±0.354, waveform at ±0.5.
    tone = sine(12_000, 1.0, 48_000, dbfs=-6.02, phase=math.pi / 4)
    assert sample_peak_db(tone) == pytest.approx(-9.03, abs=0.01)
    assert true_peak_db(tone) == pytest.approx(-6.02, abs=0.15)
    assert true_peak_db(tone) > sample_peak_db(tone) + 2.5


def test_true_peak_of_a_full_scale_low_sine_is_about_0_dbtp() -> None:
    assert true_peak_db(sine(997, 1.0, 48_000)) == pytest.approx(0.0, abs=0.1)
    assert true_peak_db(np.zeros((2, 100), dtype=np.float32)) == -math.inf


@pytest.mark.parametrize("kind", ["dense", "sparse", "mono"])
def test_true_peak_equals_brute_force_interpolation(kind: str) -> None:
    rng = np.random.default_rng(7)
    if kind == "dense":
        x = (rng.standard_normal((2, 20_000)) * 0.2).astype(np.float32)
    elif kind == "sparse":
        # A few clicks over quiet noise: only the windows around them are interpolated.
        x = (rng.standard_normal((2, 20_000)) * 0.01).astype(np.float32)
        x[0, [50, 7_000, 19_995]] = [0.9, -0.95, 0.8]
        x[1, 12_345] = -0.97
    else:
        x = song(0.5, 44_100, seed=3)[0]
    expected = max(np.abs(_brute_force_phases(row)).max() for row in np.atleast_2d(x))
    assert true_peak(x) == pytest.approx(expected, rel=1e-5)


def test_true_peak_envelope_is_exact_wherever_it_may_pass_the_floor() -> None:
    x = song(1.0, 44_100, seed=1)
    floor = 0.2
    envelope = true_peak_envelope(x, floor)
    phases = np.abs(np.stack([_brute_force_phases(row) for row in x])).max(axis=(0, 1))
    # Output m lies just after sample m − 6; outputs past either end fold into the edges.
    expected = phases[6 : 6 + x.shape[1]].astype(np.float32)
    expected[0] = max(expected[0], phases[:6].max())
    expected[-1] = max(expected[-1], phases[6 + x.shape[1] :].max())
    above = expected > floor
    assert above.any()
    np.testing.assert_allclose(envelope[above], expected[above], rtol=1e-5)
    assert (envelope[~above] <= floor).all()


def test_k_weighting_rejects_a_non_positive_rate() -> None:
    with pytest.raises(ValueError, match="sample rate"):
        k_weighting_sos(0)
