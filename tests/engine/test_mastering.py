"""Mastering reaches −14 LUFS and −1 dBTP on music-like input, as our own meter reads it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray

from engine.loudness import integrated_loudness, true_peak_db
from engine.mastering import MasterResult, master, trim_to_true_peak
from tests.engine.render_signals import noise_bursts, sine, song, stereo

RATE = 44_100


def _check_compliant(result: MasterResult, sample_rate: int = RATE) -> None:
    """Re-measure the output independently of what master() reported."""
    lufs = integrated_loudness(result.audio, sample_rate)
    peak = true_peak_db(result.audio)
    assert lufs == pytest.approx(-14.0, abs=0.5)
    assert peak <= -1.0 + 1e-6
    assert result.lufs == pytest.approx(lufs, abs=1e-6)
    assert result.true_peak_db == pytest.approx(peak, abs=1e-6)
    assert result.audio.dtype == np.float32
    assert result.audio.shape[0] == 2
    assert not result.silent


SIGNALS: dict[str, NDArray[np.float32]] = {
    "song, quiet": song(8.0, RATE, seed=0, peak_dbfs=-30.0),
    "song, hot": song(8.0, RATE, seed=1, peak_dbfs=0.0),
    "song, clipped": np.clip(song(8.0, RATE, seed=2, peak_dbfs=6.0), -1.0, 1.0),
    "song, drum-led": song(8.0, RATE, seed=3, drums_db=10.0),
    "noise bursts": noise_bursts(8.0, RATE, dbfs=-25.0),
    "sine, -40 dBFS": stereo(sine(440, 8.0, RATE, dbfs=-40.0)),
    "sine, 0 dBFS": stereo(sine(3000, 8.0, RATE)),
    "sines, mixed levels": np.stack(
        [sine(220, 8.0, RATE, dbfs=-10.0), sine(5000, 8.0, RATE, dbfs=-30.0)]
    ),
}


@pytest.mark.parametrize("name", list(SIGNALS))
def test_output_is_minus_14_lufs_and_under_minus_1_dbtp(name: str) -> None:
    result = master(SIGNALS[name], RATE)
    _check_compliant(result)
    assert result.audio.shape[1] == SIGNALS[name].shape[1]


def test_a_drum_led_mix_is_limited_without_losing_its_loudness() -> None:
    result = master(song(8.0, RATE, seed=4, drums_db=10.0), RATE)
    assert result.limiter_db > 2.0
    _check_compliant(result)


def test_other_targets_are_honoured() -> None:
    result = master(song(6.0, RATE, seed=5), RATE, target_lufs=-16.0, true_peak_db=-2.0)
    assert integrated_loudness(result.audio, RATE) == pytest.approx(-16.0, abs=0.5)
    assert true_peak_db(result.audio) <= -2.0 + 1e-6


def test_48_khz_input_is_mastered_too() -> None:
    _check_compliant(master(song(6.0, 48_000, seed=6), 48_000), 48_000)


def test_fades_are_equal_power_and_reach_zero() -> None:
    tone = stereo(sine(1000, 6.0, RATE, dbfs=-20.0))
    result = master(tone, RATE, fade_in_s=0.1, fade_out_s=1.0)
    left = result.audio[0]
    assert left[0] == 0.0
    assert abs(left[-1]) < 1e-3
    level = np.abs(left[RATE : 2 * RATE]).max()
    fade_in = round(0.1 * RATE)
    # Half-way through an equal-power fade the gain is cos(45°), not 0.5.
    half_in = np.abs(left[fade_in // 2 - 40 : fade_in // 2 + 40]).max()
    assert half_in / level == pytest.approx(math.sqrt(0.5), abs=0.01)
    half_out_at = left.shape[0] - RATE // 2
    half_out = np.abs(left[half_out_at - 40 : half_out_at + 40]).max()
    assert half_out / level == pytest.approx(math.sqrt(0.5), abs=0.01)


def test_fades_shrink_to_fit_a_short_clip() -> None:
    result = master(stereo(sine(440, 0.5, RATE, dbfs=-12.0)), RATE, fade_in_s=0.5, fade_out_s=1.5)
    assert result.audio.shape == (2, RATE // 2)
    assert np.isfinite(result.audio).all()
    assert true_peak_db(result.audio) <= -1.0 + 1e-6


def test_clips_shorter_than_a_loudness_block_are_handled() -> None:
    result = master(stereo(sine(440, 0.05, RATE, dbfs=-12.0)), RATE, fade_in_s=0.0, fade_out_s=0.0)
    assert result.lufs == pytest.approx(-14.0, abs=0.5)
    assert result.true_peak_db <= -1.0 + 1e-6


@pytest.mark.parametrize(
    "audio",
    [
        np.zeros((2, RATE), dtype=np.float32),
        stereo(sine(440, 1.0, RATE, dbfs=-90.0)),
        np.zeros((2, 0), dtype=np.float32),
    ],
    ids=["digital silence", "under the gate", "empty"],
)
def test_silence_comes_back_as_silence_with_a_flag(audio: NDArray[np.float32]) -> None:
    result = master(audio, RATE)
    assert result.silent
    assert result.lufs == -math.inf
    assert result.true_peak_db == -math.inf
    assert result.gain_db == 0.0
    assert result.audio.shape == (2, audio.shape[1])
    assert not result.audio.any()


def test_mono_input_becomes_two_equal_channels() -> None:
    result = master(sine(440, 4.0, RATE, dbfs=-20.0), RATE)
    assert result.audio.shape == (2, 4 * RATE)
    np.testing.assert_array_equal(result.audio[0], result.audio[1])
    _check_compliant(result)
    one_channel = master(sine(440, 4.0, RATE, dbfs=-20.0)[np.newaxis, :], RATE)
    np.testing.assert_array_equal(one_channel.audio, result.audio)


def test_gain_is_capped_for_near_silent_input() -> None:
    tone = stereo(sine(440, 4.0, RATE, dbfs=-60.0))
    result = master(tone, RATE, max_gain_db=40.0, fade_in_s=0.0, fade_out_s=0.0)
    assert result.gain_db == pytest.approx(40.0)
    assert result.lufs == pytest.approx(integrated_loudness(tone, RATE) + 40.0, abs=0.01)
    assert result.lufs < -14.5


def test_input_is_left_untouched() -> None:
    audio = song(3.0, RATE, seed=7)
    before = audio.copy()
    master(audio, RATE)
    np.testing.assert_array_equal(audio, before)


@pytest.mark.parametrize(
    "audio",
    [
        np.zeros((3, 100), dtype=np.float32),
        np.full((2, 100), np.nan, dtype=np.float32),
    ],
    ids=["three channels", "NaN"],
)
def test_unusable_input_is_refused(audio: NDArray[np.float32]) -> None:
    with pytest.raises(ValueError):
        master(audio, RATE)


def test_trim_to_true_peak_only_ever_cuts() -> None:
    quiet = stereo(sine(440, 1.0, RATE, dbfs=-6.0))
    same, peak = trim_to_true_peak(quiet, -1.0)
    np.testing.assert_array_equal(same, quiet)
    assert peak == pytest.approx(-6.0, abs=0.1)
    loud = stereo(sine(12_000, 1.0, RATE, dbfs=0.0, phase=math.pi / 4))
    trimmed, peak = trim_to_true_peak(loud, -1.0)
    assert peak <= -1.0
    assert true_peak_db(trimmed) == pytest.approx(peak, abs=1e-4)


