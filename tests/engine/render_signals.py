"""Synthetic test signals for the meter, the mastering chain and the encoders.

Short, deterministic and shaped like what the render pipeline produces:
drums with real transients (so the limiter has work), a bass line, chords and
a vibrato lead, in stereo.
"""

from __future__ import annotations

import numpy as np
import scipy.signal
from numpy.typing import NDArray


def sine(
    freq: float, seconds: float, sample_rate: int, dbfs: float = 0.0, phase: float = 0.0
) -> NDArray[np.float32]:
    """A mono sine whose peak is ``dbfs``."""
    t = np.arange(round(seconds * sample_rate)) / sample_rate
    amplitude = 10.0 ** (dbfs / 20.0)
    tone: NDArray[np.float32] = (amplitude * np.sin(2 * np.pi * freq * t + phase)).astype(
        np.float32
    )
    return tone


def stereo(mono: NDArray[np.float32]) -> NDArray[np.float32]:
    return np.stack([mono, mono])


def song(
    seconds: float,
    sample_rate: int,
    *,
    seed: int = 0,
    drums_db: float = 0.0,
    peak_dbfs: float = -6.0,
) -> NDArray[np.float32]:
    """A little stereo arrangement, peak-normalised to ``peak_dbfs``.

    ``drums_db`` raises the drums against the rest: +10 dB gives the
    peak-to-loudness ratio (about 18 dB) of dynamic, drum-led mixes.
    """
    rng = np.random.default_rng(seed)
    n = round(seconds * sample_rate)
    t = np.arange(n) / sample_rate
    beat = round(sample_rate * 60.0 / rng.uniform(90.0, 130.0))

    def decay(length_s: float, tau_s: float) -> NDArray[np.float64]:
        return np.exp(-np.arange(round(length_s * sample_rate)) / (tau_s * sample_rate))

    kick_env = decay(0.4, 0.12)
    kick_t = np.arange(kick_env.shape[0]) / sample_rate
    kick = np.sin(2 * np.pi * (50 * kick_t + 3.0 * (1 - np.exp(-kick_t / 0.03)))) * kick_env
    snare_env = decay(0.3, 0.08)
    snare_tone = np.sin(2 * np.pi * 190 * np.arange(snare_env.shape[0]) / sample_rate)
    hat_env = decay(0.06, 0.015)
    hat_b, hat_a = scipy.signal.butter(2, 6000, "hp", fs=sample_rate)
    drums = np.zeros(n)
    for index, start in enumerate(range(0, n - kick.shape[0], beat)):
        if index % 2 == 0:
            drums[start : start + kick.shape[0]] += kick
        else:
            noise = rng.standard_normal(snare_env.shape[0])
            drums[start : start + snare_env.shape[0]] += (
                0.6 * noise + 0.4 * snare_tone
            ) * snare_env
        for hat_start in (start, start + beat // 2):
            hat = scipy.signal.lfilter(hat_b, hat_a, rng.standard_normal(hat_env.shape[0]))
            drums[hat_start : hat_start + hat_env.shape[0]] += 0.2 * hat * hat_env

    root = 55.0 * 2 ** (int(rng.integers(0, 12)) / 12)
    low_b, low_a = scipy.signal.butter(2, 300, "lp", fs=sample_rate)
    bass = scipy.signal.lfilter(low_b, low_a, 0.35 * scipy.signal.sawtooth(2 * np.pi * root * t))
    pad_b, pad_a = scipy.signal.butter(2, 2500, "lp", fs=sample_rate)
    chords = scipy.signal.lfilter(
        pad_b,
        pad_a,
        sum(
            0.06 * scipy.signal.sawtooth(2 * np.pi * root * 4 * ratio * t * (1 + detune))
            for ratio, detune in ((1.0, 0.0), (1.26, 0.002), (1.5, -0.002), (2.0, 0.001))
        ),
    )
    phase = 2 * np.pi * np.cumsum(root * 8 * (1 + 0.01 * np.sin(2 * np.pi * 5 * t))) / sample_rate
    swell = 0.5 + 0.5 * np.sin(2 * np.pi * t / 4) ** 2
    lead = 0.15 * swell * sum(np.sin(k * phase) / k for k in range(1, 6))

    drums *= 10.0 ** (drums_db / 20.0)
    mix = np.stack([drums + bass + 0.8 * chords + lead, drums + bass + 1.2 * chords + 0.8 * lead])
    mix *= 10.0 ** (peak_dbfs / 20.0) / np.abs(mix).max()
    return mix.astype(np.float32)


def noise_bursts(
    seconds: float, sample_rate: int, *, seed: int = 0, dbfs: float = -12.0
) -> NDArray[np.float32]:
    """Stereo white noise switched on and off every half second (RMS ``dbfs`` while on)."""
    rng = np.random.default_rng(seed)
    n = round(seconds * sample_rate)
    gate = (np.arange(n) // (sample_rate // 2)) % 2 == 0
    noise: NDArray[np.float32] = (
        rng.standard_normal((2, n)) * 10.0 ** (dbfs / 20.0) * gate
    ).astype(np.float32)
    return noise
