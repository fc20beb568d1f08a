"""Synthetic stems with known tempo, key and chords, fast enough for unit tests.

Independent of the demo-song synthesizer on purpose: the style tests need
exact ground truth (tempo, chords, where the loud part is) and must run in
well under a second.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

SR = 44_100
FloatArray = npt.NDArray[np.float32]

CHORD_TONES = {
    "C": (0, 4, 7),
    "Dm": (2, 5, 9),
    "Em": (4, 7, 11),
    "F": (5, 9, 0),
    "G": (7, 11, 2),
    "Am": (9, 0, 4),
    "E": (4, 8, 11),
}
C_MAJOR = ("C", "F", "G", "C")
A_MINOR = ("Am", "Dm", "E", "Am")


def _hz(midi: float) -> float:
    return float(440.0 * 2.0 ** ((midi - 69.0) / 12.0))


def _t(n: int) -> npt.NDArray[np.float64]:
    return np.arange(n) / SR


def _env(n: int, attack: float = 0.01, release: float = 0.03) -> npt.NDArray[np.float64]:
    i = np.arange(n)
    rise = np.minimum(1.0, i / max(1, attack * SR))
    fall = np.minimum(1.0, (n - i) / max(1, release * SR))
    env: npt.NDArray[np.float64] = rise * fall
    return env


def _put(out: npt.NDArray[np.float64], x: npt.NDArray[np.float64], start_s: float) -> None:
    i = round(start_s * SR)
    if i < out.shape[0]:
        m = min(x.shape[0], out.shape[0] - i)
        out[i : i + m] += x[:m]


def drums(bpm: float, seconds: float, *, seed: int = 0, offset: float = 0.0) -> FloatArray:
    """Kick on 1 and 3, snare on 2 and 4, eighth-note hats."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    out = np.zeros(n)
    tk = _t(int(0.3 * SR))
    kick = np.sin(2 * np.pi * (50 * tk + 80 * (1 - np.exp(-tk * 30)) / 30)) * np.exp(-tk * 12)
    ts = _t(int(0.18 * SR))
    snare = (
        rng.standard_normal(ts.shape[0]) * np.exp(-ts * 25) * 0.5
        + np.sin(2 * np.pi * 190 * ts) * np.exp(-ts * 30) * 0.5
    )
    th = _t(int(0.05 * SR))
    hat = np.diff(rng.standard_normal(th.shape[0] + 1)) * np.exp(-th * 80) * 0.12
    beat = 60.0 / bpm
    for k in range(int((seconds - offset) / beat) + 1):
        t = offset + k * beat
        _put(out, kick if k % 2 == 0 else snare, t)
        _put(out, hat, t)
        _put(out, hat * 0.6, t + beat / 2)
    return np.stack([out, out]).astype(np.float32)


def clicks(bpm: float, seconds: float, *, offset: float = 0.1) -> FloatArray:
    """A metronome: a 1-kHz blip every beat, accented on the bar."""
    n = int(seconds * SR)
    out = np.zeros(n)
    tb = _t(int(0.02 * SR))
    blip = np.sin(2 * np.pi * 1000 * tb) * np.exp(-tb / 0.003)
    for k in range(int((seconds - offset) / (60.0 / bpm)) + 1):
        _put(out, blip * (1.0 if k % 4 == 0 else 0.6), offset + k * 60.0 / bpm)
    return np.stack([out, out]).astype(np.float32)


def harmony(chords: tuple[str, ...], bar_s: float, bars: int) -> tuple[FloatArray, FloatArray]:
    """Bass (root, saw) and other (triad, soft saws), one chord per bar."""
    n = int(bars * bar_s * SR)
    bass, other = np.zeros(n), np.zeros(n)
    m = int(bar_s * SR)
    t = _t(m)
    for b in range(bars):
        tones = CHORD_TONES[chords[b % len(chords)]]
        root = 36 + tones[0]
        _put(bass, 0.35 * (2 * ((_hz(root) * t) % 1.0) - 1) * _env(m), b * bar_s)
        chord = sum(
            np.sin(2 * np.pi * _hz(60 + pc) * t) + 0.3 * np.sin(4 * np.pi * _hz(60 + pc) * t)
            for pc in tones
        )
        _put(other, 0.12 * chord * _env(m), b * bar_s)
    return np.stack([bass, bass]).astype(np.float32), np.stack([other, other]).astype(np.float32)


def vocals(chords: tuple[str, ...], bar_s: float, bars: int, *, seed: int = 0) -> FloatArray:
    """A voice-like line: chord tones with vibrato and a few harmonics, phrases and rests."""
    rng = np.random.default_rng(seed)
    n = int(bars * bar_s * SR)
    out = np.zeros(n)
    note_s = bar_s / 2
    m = int(note_s * SR)
    t = _t(m)
    for k in range(bars * 2):
        if k % 4 == 3:
            continue  # breathe
        tones = CHORD_TONES[chords[(k // 2) % len(chords)]]
        f = _hz(64 + (tones[int(rng.integers(0, 3))] - 4) % 12)
        phase = np.cumsum(f * (1 + 0.01 * np.sin(2 * np.pi * 5.5 * t))) / SR
        x = sum(
            a * np.sin(2 * np.pi * h * phase) for h, a in ((1, 1.0), (2, 0.5), (3, 0.3), (4, 0.15))
        )
        _put(out, 0.2 * x * _env(m, 0.04, 0.08), k * note_s)
    return np.stack([out, out]).astype(np.float32)


def song(
    bpm: float = 120.0,
    seconds: float = 8.0,
    chords: tuple[str, ...] = A_MINOR,
    *,
    seed: int = 0,
    loud: tuple[float, float] | None = None,
) -> dict[str, FloatArray]:
    """Four stems of a little song; ``loud`` makes that span 4x louder than the rest."""
    bar_s = 240.0 / bpm
    bars = int(np.ceil(seconds / bar_s))
    n = int(seconds * SR)
    bass, other = harmony(chords, bar_s, bars)
    stems = {
        "drums": drums(bpm, seconds, seed=seed),
        "bass": bass[:, :n],
        "other": other[:, :n],
        "vocals": vocals(chords, bar_s, bars, seed=seed)[:, :n],
    }
    if loud is not None:
        gain = np.full(n, 0.25, dtype=np.float32)
        gain[int(loud[0] * SR) : int(loud[1] * SR)] = 1.0
        stems = {k: (v * gain).astype(np.float32) for k, v in stems.items()}
    return stems
