"""Sound sources for generated parts: oscillators, drum one-shots, plucks, notes.

Everything is vectorised numpy on whole notes or hits, and a part renders a
few distinct sounds many times, so sounds are made once and placed many
times (``place``) or cached per pitch and length (``NoteRenderer``). That is
what keeps a generated arrangement of 30 s within a few tens of milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
Voice = Callable[[float, int], FloatArray]
"""Renders one note: (frequency in Hz, length in samples) -> mono samples."""


def _t(n: int, sample_rate: int) -> npt.NDArray[np.float64]:
    return np.arange(n, dtype=np.float64) / sample_rate


def decay(n: int, sample_rate: int, tau_s: float) -> FloatArray:
    return np.exp(-_t(n, sample_rate) / tau_s).astype(np.float32)


def ramp_edges(x: FloatArray, sample_rate: int, attack_s: float, release_s: float) -> FloatArray:
    """Linear fade in and out, so notes start and stop without clicks."""
    n = x.shape[-1]
    env = np.ones(n, dtype=np.float32)
    a = min(n, max(1, int(attack_s * sample_rate)))
    r = min(n, max(1, int(release_s * sample_rate)))
    env[:a] *= np.linspace(0.0, 1.0, a, dtype=np.float32)
    env[n - r :] *= np.linspace(1.0, 0.0, r, dtype=np.float32)
    return (x * env).astype(np.float32)


def saw(hz: float, n: int, sample_rate: int, phase: float = 0.0) -> FloatArray:
    ph = (phase + hz * _t(n, sample_rate)) % 1.0
    return (2.0 * ph - 1.0).astype(np.float32)


def pulse(hz: float, n: int, sample_rate: int, duty: float = 0.5) -> FloatArray:
    ph = (hz * _t(n, sample_rate)) % 1.0
    return np.where(ph < duty, 1.0, -1.0).astype(np.float32)


def sine(hz: float, n: int, sample_rate: int, phase: float = 0.0) -> FloatArray:
    return np.sin(2.0 * np.pi * (phase + hz * _t(n, sample_rate))).astype(np.float32)


def noise(rng: np.random.Generator, n: int) -> FloatArray:
    return rng.standard_normal(n, dtype=np.float32)


def _spectral_filter(x: FloatArray, sample_rate: int, gain: Callable[..., object]) -> FloatArray:
    spec = np.fft.rfft(x)
    spec *= np.asarray(gain(np.fft.rfftfreq(x.shape[0], 1.0 / sample_rate)))
    return np.fft.irfft(spec, x.shape[0]).astype(np.float32)


def lowpass(x: FloatArray, sample_rate: int, cutoff_hz: float) -> FloatArray:
    """A gentle (6 dB/octave) low-pass of a short one-shot, done in one FFT.

    One-shots are made once per render and are short, so an FFT filter is
    simpler than a plugin and free of start-up transients.
    """
    return _spectral_filter(x, sample_rate, lambda f: 1.0 / np.sqrt(1.0 + (f / cutoff_hz) ** 2))


def highpass(x: FloatArray, sample_rate: int, cutoff_hz: float) -> FloatArray:
    """A 12 dB/octave high-pass of a short one-shot (hi-hats, shakers)."""
    return _spectral_filter(
        x, sample_rate, lambda f: 1.0 / np.sqrt(1.0 + (cutoff_hz / np.maximum(f, 1.0)) ** 4)
    )


# --- drum one-shots ---------------------------------------------------------------


def kick(
    sample_rate: int,
    *,
    f_start: float = 130.0,
    f_end: float = 48.0,
    sweep_s: float = 0.035,
    decay_s: float = 0.22,
    length_s: float = 0.45,
    click: float = 0.15,
) -> FloatArray:
    n = int(length_s * sample_rate)
    t = _t(n, sample_rate)
    freq = f_end + (f_start - f_end) * np.exp(-t / sweep_s)
    phase = np.cumsum(freq) / sample_rate
    body = np.sin(2 * np.pi * phase) * np.exp(-t / decay_s)
    body[: int(0.002 * sample_rate)] += click
    return ramp_edges(body.astype(np.float32), sample_rate, 0.0005, 0.01)


def snare(
    rng: np.random.Generator,
    sample_rate: int,
    *,
    tone_hz: float = 185.0,
    decay_s: float = 0.12,
    noise_level: float = 0.8,
    tone_level: float = 0.5,
    brightness_hz: float = 7000.0,
) -> FloatArray:
    n = int((decay_s * 5) * sample_rate)
    t = _t(n, sample_rate)
    rattle = lowpass(noise(rng, n), sample_rate, brightness_hz) * np.exp(-t / decay_s)
    body = np.sin(2 * np.pi * tone_hz * t) * np.exp(-t / (decay_s * 0.6))
    return ramp_edges(
        (noise_level * rattle + tone_level * body).astype(np.float32), sample_rate, 0.0005, 0.01
    )


def hat(
    rng: np.random.Generator, sample_rate: int, *, decay_s: float = 0.035, cutoff_hz: float = 6000.0
) -> FloatArray:
    n = int(decay_s * 6 * sample_rate)
    x = highpass(noise(rng, n), sample_rate, cutoff_hz) * decay(n, sample_rate, decay_s)
    return ramp_edges(x.astype(np.float32), sample_rate, 0.0003, 0.005)


def gated_tail(
    rng: np.random.Generator, sample_rate: int, *, gate_s: float = 0.24, cutoff_hz: float = 5000.0
) -> FloatArray:
    """The 80s gated reverb: a dense, flat wash cut off dead after ``gate_s``."""
    n = int(gate_s * sample_rate)
    x = lowpass(noise(rng, n), sample_rate, cutoff_hz)
    env = np.linspace(1.0, 0.6, n, dtype=np.float32)
    return ramp_edges((x * env).astype(np.float32), sample_rate, 0.004, 0.006)


def chip_kick(sample_rate: int) -> FloatArray:
    """A square-wave pitch drop, as a console's pulse channel would play a kick."""
    n = int(0.12 * sample_rate)
    t = _t(n, sample_rate)
    freq = 45.0 + 180.0 * np.exp(-t / 0.02)
    phase = np.cumsum(freq) / sample_rate
    x = np.where(phase % 1.0 < 0.5, 1.0, -1.0) * np.exp(-t / 0.05)
    return ramp_edges(x.astype(np.float32), sample_rate, 0.0005, 0.01)


def chip_noise(
    rng: np.random.Generator, sample_rate: int, *, decay_s: float, hold: int
) -> FloatArray:
    """Stepped noise: each random value held ``hold`` samples, like an LFSR noise channel."""
    n = int(decay_s * 5 * sample_rate)
    steps = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=n // hold + 1)
    x = np.repeat(steps, hold)[:n] * decay(n, sample_rate, decay_s)
    return ramp_edges(x.astype(np.float32), sample_rate, 0.0005, 0.005)


def shaker(rng: np.random.Generator, sample_rate: int) -> FloatArray:
    n = int(0.09 * sample_rate)
    t = _t(n, sample_rate)
    env = np.sin(np.pi * np.minimum(t / 0.09, 1.0)) ** 2
    x: FloatArray = (highpass(noise(rng, n), sample_rate, 5000.0) * env).astype(np.float32)
    return x


def timpani(hz: float, sample_rate: int, rng: np.random.Generator) -> FloatArray:
    """A drum-head hit: a few inharmonic partials and a felt-mallet thump."""
    n = int(1.6 * sample_rate)
    t = _t(n, sample_rate)
    x = np.zeros(n)
    for ratio, amp, tau in ((1.0, 1.0, 0.7), (1.5, 0.5, 0.45), (1.98, 0.3, 0.3), (2.44, 0.15, 0.2)):
        x += amp * np.sin(2 * np.pi * hz * ratio * t) * np.exp(-t / tau)
    thump = lowpass(noise(rng, n), sample_rate, 300.0) * np.exp(-t / 0.03)
    return ramp_edges((x * 0.6 + thump * 0.8).astype(np.float32), sample_rate, 0.002, 0.05)


def place(
    out: FloatArray,
    shot: FloatArray,
    times_s: npt.ArrayLike,
    gains: npt.ArrayLike,
    sample_rate: int,
) -> None:
    """Add ``shot`` into ``out`` at each time (clipped at both ends of ``out``)."""
    n = out.shape[-1]
    for t, g in zip(np.atleast_1d(times_s), np.atleast_1d(gains), strict=True):
        start = round(float(t) * sample_rate)
        lo, hi = max(start, 0), min(start + shot.shape[0], n)
        if hi > lo and g != 0.0:
            out[lo:hi] += float(g) * shot[lo - start : hi - start]


# --- pitched voices ----------------------------------------------------------------


def karplus_strong(
    hz: float, n: int, sample_rate: int, rng: np.random.Generator, *, damping: float = 0.996
) -> FloatArray:
    """A plucked string: a noise burst in a delay line that averages itself down.

    The recursion runs a period at a time (each period depends only on the
    previous one), so a note costs one vectorised step per period.
    """
    period = max(2, round(sample_rate / hz))
    out = np.empty(max(n, period + 1), dtype=np.float32)
    burst = rng.uniform(-1.0, 1.0, period + 1).astype(np.float32)
    out[: period + 1] = np.convolve(burst, np.ones(3, dtype=np.float32) / 3, mode="same")
    pos = period + 1
    while pos < out.shape[0]:
        m = min(period, out.shape[0] - pos)
        out[pos : pos + m] = (0.5 * damping) * (
            out[pos - period : pos - period + m] + out[pos - period - 1 : pos - period - 1 + m]
        )
        pos += m
    return ramp_edges(out[:n], sample_rate, 0.0005, 0.02)


class NoteRenderer:
    """Renders notes with a voice, caching each (pitch, length) it has made."""

    def __init__(self, voice: Voice, sample_rate: int) -> None:
        self._voice = voice
        self._sr = sample_rate
        self._cache: dict[tuple[float, int], FloatArray] = {}

    def note(self, hz: float, length: int) -> FloatArray:
        key = (round(hz, 3), length)
        sound = self._cache.get(key)
        if sound is None:
            sound = self._voice(hz, length)
            self._cache[key] = sound
        return sound

    def render(
        self,
        out: FloatArray,
        starts_s: npt.ArrayLike,
        lengths_s: npt.ArrayLike,
        hz: npt.ArrayLike,
        gains: npt.ArrayLike,
    ) -> None:
        for t, dur, f, g in zip(
            np.atleast_1d(starts_s),
            np.atleast_1d(lengths_s),
            np.atleast_1d(hz),
            np.atleast_1d(gains),
            strict=True,
        ):
            length = max(1, round(float(dur) * self._sr))
            place(out, self.note(float(f), length), [float(t)], [float(g)], self._sr)
