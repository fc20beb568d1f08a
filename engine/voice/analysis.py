"""WORLD analysis of a vocal, and the measures a voice is described by.

Shared by training (what a voice sounds like) and conversion (what the
source singer sounds like), so both sides are measured the same way: the
same frame period, the same F0 tracker settings, the same coded envelope and
the same long-term spectrum grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from engine.voice._pyworld import pyworld

F64 = npt.NDArray[np.float64]
F0Method = Literal["dio", "harvest"]

FRAME_MS = 5.0
MCEP_DIM = 40
F0_CEIL = 1200.0
LTAS_GRID = np.geomspace(150.0, 8000.0, 256)
"""Log-frequency grid of the long-term envelope: a formant shift is a slide along it."""

GATE_DB = 50.0
"""A 10 ms block this far below the loudest block (or under -90 dBFS) is silence."""
MERGE_GAP_S = 0.3
PAD_S = 0.05


@dataclass(frozen=True, eq=False)
class Frames:
    """WORLD's view of one segment: F0 (0 = unvoiced), envelope, aperiodicity."""

    f0: F64
    sp: F64
    ap: F64 | None
    fft_size: int


def mono(audio: npt.NDArray[np.floating]) -> F64:
    """A (samples,) or (channels, samples) signal as one float64 channel."""
    x = np.asarray(audio, dtype=np.float64)
    if x.ndim == 1:
        return np.ascontiguousarray(x)
    if x.ndim == 2:
        return np.ascontiguousarray(x.mean(axis=0))
    raise ValueError(f"audio must be (samples,) or (channels, samples), got shape {x.shape}")


def active_segments(x: F64, sr: int) -> list[tuple[int, int]]:
    """Where someone sings: [start, end) sample ranges, short gaps merged, edges padded.

    Conversion only runs here, so silence stays digital silence and rests cost
    nothing; the gate is relative to the loudest 10 ms so a quiet take counts.
    """
    block = max(1, sr // 100)
    blocks = x.size // block
    if blocks == 0:
        return []
    rms = np.sqrt(np.mean(x[: blocks * block].reshape(blocks, block) ** 2, axis=1))
    peak = float(rms.max())
    if peak <= 10 ** (-90 / 20):
        return []
    live = rms > max(peak * 10 ** (-GATE_DB / 20), 10 ** (-90 / 20))
    edges = np.flatnonzero(np.diff(np.concatenate(([0], live.astype(np.int8), [0]))))
    runs = [(int(a) * block, int(b) * block) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    if x.size - blocks * block and live[-1]:
        runs[-1] = (runs[-1][0], x.size)
    merged: list[tuple[int, int]] = []
    gap, pad = int(MERGE_GAP_S * sr), int(PAD_S * sr)
    for start, end in runs:
        start, end = max(0, start - pad), min(x.size, end + pad)
        if merged and start - merged[-1][1] < gap:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def f0_floor_for(f0_hz_low: float) -> float:
    """CheapTrick's lowest F0: just under the singer's lowest note, within WORLD's usual range.

    A higher floor means a shorter FFT, and the FFT length sets the cost of the
    envelope analysis and of the synthesis; a soprano does not need a window
    long enough for a bass.
    """
    return float(np.clip(0.8 * f0_hz_low, 71.0, 150.0))


def track_f0(x: F64, sr: int, method: F0Method = "dio", floor: float = 60.0) -> F64:
    """F0 per 5 ms frame (0 where unvoiced): dio + stonemask (fast) or harvest (robust)."""
    pw = pyworld()
    if method == "harvest":
        f0, t = pw.harvest(x, sr, f0_floor=floor, f0_ceil=F0_CEIL, frame_period=FRAME_MS)
    else:
        f0, t = pw.dio(x, sr, f0_floor=floor, f0_ceil=F0_CEIL, frame_period=FRAME_MS, speed=4)
    return np.asarray(pw.stonemask(x, f0, t, sr), dtype=np.float64)


def frame_times(frames: int) -> F64:
    return np.arange(frames, dtype=np.float64) * FRAME_MS / 1000.0


def envelope(x: F64, sr: int, f0: F64, floor: float) -> tuple[F64, int]:
    """CheapTrick spectral envelope (power) per frame and the FFT size it used."""
    pw = pyworld()
    fft_size = int(pw.get_cheaptrick_fft_size(sr, floor))
    sp = pw.cheaptrick(x, f0, frame_times(f0.size), sr, f0_floor=floor, fft_size=fft_size)
    return np.asarray(sp, dtype=np.float64), fft_size


def aperiodicity(x: F64, sr: int, f0: F64, fft_size: int, step: int = 8) -> F64:
    """D4C aperiodicity, analysed every ``step`` frames and interpolated in between.

    D4C is the costliest WORLD stage by far and aperiodicity moves slowly (it is
    breathiness, not pitch), so every eighth frame (40 ms) is enough; unvoiced
    frames are synthesized from noise whatever their aperiodicity says. The
    voicing threshold is off: voicing is decided once, from the cleaned F0.
    """
    pw = pyworld()
    n = f0.size
    picks = np.unique(np.concatenate((np.arange(0, n, step), [n - 1])))
    coarse = pw.d4c(
        x, np.ascontiguousarray(f0[picks]), frame_times(n)[picks].copy(), sr,
        threshold=0.0, fft_size=fft_size,
    )
    coarse = np.asarray(coarse, dtype=np.float64)
    if picks.size == n:
        return coarse
    position = np.interp(np.arange(n), picks, np.arange(picks.size))
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, picks.size - 1)
    frac = (position - low)[:, None]
    return np.asarray((1 - frac) * coarse[low] + frac * coarse[high], dtype=np.float64)


def code(sp: F64, sr: int) -> F64:
    """The envelope as mel-cepstrum-like coefficients (WORLD's own coding)."""
    coded = pyworld().code_spectral_envelope(np.ascontiguousarray(sp), sr, MCEP_DIM)
    return np.asarray(coded, dtype=np.float64)


def decode(mcep: F64, sr: int, fft_size: int) -> F64:
    coded = np.ascontiguousarray(mcep, dtype=np.float64)
    return np.asarray(pyworld().decode_spectral_envelope(coded, sr, fft_size), dtype=np.float64)


def long_term_envelope(sp: F64, voiced: npt.NDArray[np.bool_], sr: int, fft_size: int) -> F64:
    """Mean log envelope of the voiced frames on ``LTAS_GRID``, level removed."""
    if not voiced.any():
        return np.zeros(LTAS_GRID.size)
    bins = np.arange(sp.shape[1]) * sr / fft_size
    mean_log = np.log(np.maximum(sp[voiced], 1e-20)).mean(axis=0)
    curve = np.interp(LTAS_GRID, bins, mean_log)
    return np.asarray(curve - curve.mean(), dtype=np.float64)


def analyse(x: F64, sr: int, method: F0Method, floor: float, with_ap: bool) -> Frames:
    """F0, envelope and (optionally) aperiodicity of one segment."""
    f0 = track_f0(x, sr, method)
    sp, fft_size = envelope(x, sr, f0, floor)
    ap = aperiodicity(x, sr, f0, fft_size) if with_ap else None
    return Frames(f0, sp, ap, fft_size)
