"""The demo band: drum one-shots, a bass, a pad and a formant 'singer'.

All vectorised numpy, deterministic from the generator passed in. The
singer is a glottal pulse train (with vibrato and jitter) through resonant
formant filters that glide between vowels, which is what makes a synth
sound sung rather than played.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.signal import lfilter

FloatArray = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

# F1, F2, F3 (Hz) and bandwidths of sung vowels (soprano-ish averages).
VOWELS: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]] = {
    "a": ((800.0, 1150.0, 2900.0), (80.0, 90.0, 120.0)),
    "e": ((400.0, 1600.0, 2700.0), (60.0, 80.0, 120.0)),
    "i": ((350.0, 1700.0, 2700.0), (50.0, 100.0, 120.0)),
    "o": ((450.0, 800.0, 2830.0), (70.0, 80.0, 100.0)),
    "u": ((325.0, 700.0, 2530.0), (50.0, 60.0, 170.0)),
}


def midi_hz(note: float) -> float:
    return float(440.0 * 2.0 ** ((note - 69.0) / 12.0))


def kick(sr: int) -> F64:
    t = np.arange(int(0.35 * sr)) / sr
    freq = 45.0 + 90.0 * np.exp(-t * 30.0)
    phase = 2 * np.pi * np.cumsum(freq) / sr
    return np.asarray(np.sin(phase) * np.exp(-t * 9.0), dtype=np.float64)


def snare(sr: int, rng: np.random.Generator) -> F64:
    t = np.arange(int(0.25 * sr)) / sr
    noise = lfilter([1.0, -0.9], [1.0], rng.standard_normal(t.size)) * np.exp(-t * 18.0)
    tone = np.sin(2 * np.pi * 185.0 * t) * np.exp(-t * 30.0)
    return np.asarray(0.5 * noise / np.max(np.abs(noise)) + 0.5 * tone, dtype=np.float64)


def hat(sr: int, rng: np.random.Generator, open_: bool = False) -> F64:
    t = np.arange(int((0.18 if open_ else 0.05) * sr)) / sr
    noise = lfilter([1.0, -1.0], [1.0, -0.2], rng.standard_normal(t.size))
    decay = np.exp(-t * (14.0 if open_ else 70.0))
    return np.asarray(0.3 * noise / np.max(np.abs(noise)) * decay, dtype=np.float64)


def place(track: F64, sample: F64, at: int, gain: float) -> None:
    """Add ``sample`` into ``track`` from index ``at`` (clipped at the end)."""
    end = min(track.size, at + sample.size)
    if at < end:
        track[at:end] += gain * sample[: end - at]


def saw(freq: F64 | float, n: int, sr: int, phase0: float = 0.0) -> F64:
    """A naive sawtooth; the pad and bass filters tame its aliasing."""
    phase = phase0 + np.cumsum(np.broadcast_to(np.asarray(freq, dtype=np.float64), (n,))) / sr
    return np.asarray(2.0 * (phase - np.floor(phase)) - 1.0, dtype=np.float64)


def one_pole_lowpass(x: F64, cutoff: float, sr: int) -> F64:
    a = float(np.exp(-2 * np.pi * cutoff / sr))
    return np.asarray(lfilter([1 - a], [1.0, -a], x), dtype=np.float64)


def adsr(n: int, sr: int, attack: float, release: float, sustain: float = 1.0) -> F64:
    env = np.full(n, sustain)
    a = min(n, max(1, int(attack * sr)))
    r = min(n - a, max(1, int(release * sr)))
    env[:a] = np.linspace(0.0, 1.0, a) * sustain
    if r > 0:
        env[n - r :] *= np.linspace(1.0, 0.0, r)
    return env


def resonator(x: F64, freq: float, bandwidth: float, sr: int) -> F64:
    """Two-pole resonant filter (the classic Klatt formant)."""
    r = float(np.exp(-np.pi * bandwidth / sr))
    theta = 2 * np.pi * freq / sr
    a1, a2 = -2 * r * np.cos(theta), r * r
    gain = 1 - r
    return np.asarray(lfilter([gain], [1.0, a1, a2], x), dtype=np.float64)


SYLLABLE_RMS = 1.1
"""Every syllable is levelled to this RMS before the song's vocal gain."""


def _formants(source: F64, vowel: str, sr: int) -> F64:
    freqs, widths = VOWELS[vowel]
    out = np.zeros(source.size)
    for f, bw, gain in zip(freqs, widths, (1.0, 0.6, 0.3), strict=True):
        out += gain * resonator(source, f, bw, sr)
    return out


def sung_note(
    note: float,
    seconds: float,
    vowel: str,
    sr: int,
    rng: np.random.Generator,
    from_vowel: str | None = None,
) -> F64:
    """One sung syllable: vibrato, jitter, breath, and the vowel's formants.

    With ``from_vowel`` the syllable glides from that vowel into its own over
    its first 80 ms, the way a singer slurs one vowel into the next. Each
    syllable is levelled: a narrow formant that happens to sit on a harmonic
    rings up to 20 dB louder than one between harmonics, which would make the
    line jump in loudness from note to note.
    """
    n = max(1, int(seconds * sr))
    t = np.arange(n) / sr
    f0 = midi_hz(note)
    vibrato = 1 + 0.012 * np.sin(2 * np.pi * 5.5 * t + rng.uniform(0, 6.28)) * np.clip(t * 3, 0, 1)
    jitter = 1 + 0.003 * one_pole_lowpass(rng.standard_normal(n), 30.0, sr)
    phase = np.cumsum(f0 * vibrato * jitter) / sr
    frac = phase - np.floor(phase)
    glottal = np.where(frac < 0.6, np.sin(np.pi * frac / 0.6) ** 2, 0.0)  # open/closed phases
    source = np.diff(glottal, prepend=0.0) * 20 + 0.02 * rng.standard_normal(n)
    voice = _formants(source, vowel, sr)
    if from_vowel is not None and from_vowel != vowel:
        # Two filter banks cross-faded: lfilter has no time-varying coefficients,
        # and over 80 ms the ear hears the cross-fade as a moving formant.
        # A causal filter's first 80 ms depend only on the first 80 ms of input.
        g = min(n, int(0.08 * sr))
        glide = t[:g] / 0.08
        voice[:g] = glide * voice[:g] + (1.0 - glide) * _formants(source[:g], from_vowel, sr)
    rms = float(np.sqrt(np.mean(voice**2)))
    if rms > 0:
        voice *= SYLLABLE_RMS / rms
    return np.asarray(voice * adsr(n, sr, 0.04, min(0.12, seconds / 3)), dtype=np.float64)
