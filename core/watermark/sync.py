"""Finding the block: its phase and the playback speed, from the sync frames alone.

Every sync frame carries the same key-derived band pattern ``c`` times a
per-frame sign ``a``, so the search needs just one number per analysis frame:
the projection ``y[t] = Σ_b c_b·x[t, b]`` of the frame's (contrast, weighted)
log powers onto the band pattern. Because the bins a band is read from at
speed ``r`` are a linear map of the spectrum, the projections for every
candidate speed come from one matrix product (:func:`projections`). Then the
score of every block phase at that speed is one FFT cross-correlation of
``y`` with the sparse train of sync taps ``a_j`` at their (speed-dilated)
positions, taken over every repetition of the block at once.

The score is self-normalised (a t-statistic: Σ a·y / √Σ y²), so it reads as
a z-score whatever the music's level, and the few best (speed, phase) pairs
are what the decoder tries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.fft

from core.watermark.keys import KeyPatterns
from core.watermark.layout import BLOCK_FRAMES, FRAME, SYNC_POSITIONS, band_delta_db
from core.watermark.patchwork import band_matrix

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class SyncPeak:
    speed: float
    phase: float  # block start, in analysis hops (may be fractional once refined)
    z: float


def band_weights(pats: KeyPatterns) -> F64:
    """The sync band pattern with each band's embedding strength."""
    return pats.sync_bands * band_delta_db()


def projections(contrast: F32, pats: KeyPatterns, speeds: F64) -> F32:
    """(T, len(speeds)): each frame projected on the sync band pattern read at each speed."""
    weights = band_weights(pats)
    v = np.stack([band_matrix(float(r)) @ weights for r in speeds], axis=1).astype(np.float32)
    out: F32 = contrast @ v
    return out


def _taps(speed: float, hop: int, total: int) -> tuple[npt.NDArray[np.int64], F64, int]:
    """Offsets (hops, relative to the block start) and signs' indexes of sync frames.

    Covers block -1 (the tail of a block that started before the clip) up to
    the end of the clip.
    """
    per_frame = FRAME / hop / speed
    period = BLOCK_FRAMES * per_frame
    blocks = int(np.ceil(total / period)) + 2
    k = (np.arange(-1, blocks)[:, None] * BLOCK_FRAMES + SYNC_POSITIONS[None, :]).reshape(-1)
    offsets = np.rint(k * per_frame).astype(np.int64)
    sign_index = np.tile(np.arange(SYNC_POSITIONS.shape[0]), blocks + 1)
    keep = (offsets > -period - 1) & (offsets < total)
    return offsets[keep], sign_index[keep].astype(np.float64), int(np.ceil(period))


def phase_scores(y: F32, speed: float, hop: int, frame_signs: F64) -> F64:
    """z-score of every block phase 0..period-1 (hops) for one speed."""
    total = y.shape[0]
    offsets, sign_index, period = _taps(speed, hop, total)
    pad = period + 1
    length = pad + total + period + 1
    n = scipy.fft.next_fast_len(length + 1, real=True)
    ypad = np.zeros(n)
    ypad[pad : pad + total] = y
    h = np.zeros(n)
    h[offsets + pad] = frame_signs[sign_index.astype(np.int64)]
    hm = np.zeros(n)
    hm[offsets + pad] = 1.0
    # Self-normalised (a t-statistic over the taps inside the clip): loud passages
    # and quiet ones weigh alike, and the score reads as a z-score.
    score = scipy.fft.irfft(
        scipy.fft.rfft(ypad, workers=1) * np.conj(scipy.fft.rfft(h, workers=1)), n, workers=1
    )[:period]
    energy = scipy.fft.irfft(
        scipy.fft.rfft(ypad * ypad, workers=1) * np.conj(scipy.fft.rfft(hm, workers=1)), n, workers=1
    )[:period]
    z: F64 = score / np.sqrt(np.maximum(energy, 1e-9))
    z[energy <= 1e-6 * max(float(energy.max(initial=0.0)), 1e-12)] = 0.0
    return z


def search(
    contrast: F32, pats: KeyPatterns, speeds: F64, hop: int, keep: int, floor_z: float
) -> list[SyncPeak]:
    """The ``keep`` best distinct (speed, phase) peaks with z ≥ ``floor_z``."""
    ys = projections(contrast, pats, speeds)
    peaks: list[SyncPeak] = []
    for i, r in enumerate(speeds):
        z = phase_scores(ys[:, i], float(r), hop, pats.sync_frames)
        if z.size == 0:
            continue
        # the two best separated phases at this speed
        top = np.argpartition(z, -8)[-8:] if z.size > 8 else np.arange(z.size)
        order = top[np.argsort(z[top])[::-1]]
        taken: list[int] = []
        for j in order:
            if z[j] < floor_z or len(taken) >= 2:
                break
            if all(min(abs(int(j) - t), z.size - abs(int(j) - t)) > 8 for t in taken):
                taken.append(int(j))
                peaks.append(SyncPeak(float(r), float(j), float(z[j])))
    peaks.sort(key=lambda p: -p.z)
    step = float(speeds[1] - speeds[0]) if speeds.size > 1 else 1.0
    chosen: list[SyncPeak] = []
    for p in peaks:
        if len(chosen) >= keep:
            break
        near = any(abs(p.speed - c.speed) <= 2.5 * step and abs(p.phase - c.phase) <= 16 for c in chosen)
        if not near:
            chosen.append(p)
    return chosen
