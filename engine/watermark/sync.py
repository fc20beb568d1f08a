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

``y`` is divided by its running RMS first, so the score (Σ a·y / √taps)
reads as a z-score whatever the music's level; all speeds go through one
batched float32 FFT. The few best (speed, phase) pairs are what the decoder
tries, and it re-scores them exactly before spending a decode.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.fft

from engine.watermark.keys import KeyPatterns
from engine.watermark.layout import BLOCK_FRAMES, FRAME, SYNC_POSITIONS
from engine.watermark.patchwork import EXT_HI, EXT_LO, band_matrix

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class SyncPeak:
    """A candidate block start: its time scale, its frequency scale, its phase and score.

    A plain speed change moves both scales together (``freq == speed``); a tempo
    change with the pitch kept moves only ``speed``; a pitch shift with the tempo
    kept moves only ``freq``.
    """

    speed: float  # time scale: 1.1 = the copy runs 10 % faster
    freq: float  # frequency scale: 1.1 = every partial 10 % higher
    phase: float  # block start, in analysis hops (may be fractional once refined)
    z: float


def band_weights(pats: KeyPatterns) -> F64:
    """The sync band pattern the reader projects on: every band weighs alike.

    The contrasts it is applied to are already divided by their variance, and
    that is the whole weighting: scaling the bands above 6 kHz by their deeper
    embedding strength looked right on paper but measured worse, on clean
    copies and far worse after Opus 32 kb/s, which keeps little of them (the
    shaping and the ±5 dB cap leave the real modulation unlike the nominal).
    """
    return pats.sync_bands


def projections(contrast: F32, pats: KeyPatterns, freqs: F64, lo: int = EXT_LO, hi: int = EXT_HI) -> F32:
    """(T, len(freqs)): each frame (bins lo..hi) projected on the sync band pattern read at each
    frequency scale."""
    weights = band_weights(pats)
    v = np.stack([band_matrix(float(f), lo, hi) @ weights for f in freqs], axis=1).astype(np.float32)
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


_NORM_HOPS = 256
"""Half-width (analysis hops, ≈ 1.5 s) of the running RMS each projection is divided by."""


def _normalised(ys: F32) -> F32:
    """Each column of ``ys`` over its running RMS: loud and quiet passages weigh alike, unit variance."""
    t = ys.shape[0]
    y64 = ys.astype(np.float64)
    c = np.concatenate([np.zeros((1, ys.shape[1])), np.cumsum(y64 * y64, axis=0)])
    i = np.arange(t)
    lo = np.maximum(i - _NORM_HOPS, 0)
    hi = np.minimum(i + _NORM_HOPS + 1, t)
    rms = np.sqrt(np.maximum(c[hi] - c[lo], 0.0) / (hi - lo)[:, None])
    quiet = rms <= 1e-6 * np.maximum(rms.max(axis=0, keepdims=True), 1e-12)
    out: F32 = np.where(quiet, 0.0, y64 / np.maximum(rms, 1e-12)).astype(np.float32)
    return out


def _sync_train(speed: float, hop: int, total: int, frame_signs: F64, n: int, pad: int) -> tuple[F32, F64]:
    """The signed sync taps of ``speed`` placed ``pad`` into a length-``n`` row, and the taps' offsets."""
    offsets, sign_index, _ = _taps(speed, hop, total)
    h = np.zeros(n, dtype=np.float32)
    h[offsets + pad] = frame_signs[sign_index.astype(np.int64)]
    return h, offsets.astype(np.float64)


def phase_scores_all(ys: F32, speeds: F64, hop: int, frame_signs: F64, normalised: bool = False) -> list[F64]:
    """For each speed, the z-score of every block phase 0..period-1 (hops).

    Each projection is scaled to unit local variance first, so the score of a
    phase is the signed sum of the sync taps it puts inside the clip over
    √(their count) — a z-score whatever the music's level — and every speed's
    correlation is one row of a single batched FFT (float32: z-scores need no more).
    """
    total = ys.shape[0]
    periods = [int(np.ceil(BLOCK_FRAMES * FRAME / hop / float(r))) for r in speeds]
    pad = max(periods) + 1
    n = scipy.fft.next_fast_len(pad + total + max(periods) + 2, real=True)
    ypad = np.zeros((speeds.shape[0], n), dtype=np.float32)
    ypad[:, pad : pad + total] = (ys if normalised else _normalised(ys)).T
    trains = [_sync_train(float(r), hop, total, frame_signs, n, pad) for r in speeds]
    h = np.stack([t[0] for t in trains])
    spec = scipy.fft.rfft(ypad, axis=1, workers=1, overwrite_x=True)
    spec *= np.conj(scipy.fft.rfft(h, axis=1, workers=1, overwrite_x=True))
    score = scipy.fft.irfft(spec, n, axis=1, workers=1, overwrite_x=True)
    out: list[F64] = []
    for i, period in enumerate(periods):
        # Taps inside the clip for block start p: offsets o (sorted) with 0 <= p + o < total.
        offsets = trains[i][1]
        p = np.arange(period)
        count = np.searchsorted(offsets, total - p) - np.searchsorted(offsets, -p)
        z = score[i, :period].astype(np.float64) / np.sqrt(np.maximum(count, 1))
        z[count == 0] = 0.0
        out.append(z)
    return out


def search(
    contrast: F32,
    pats: KeyPatterns,
    speeds: F64,
    hop: int,
    keep: int,
    floor_z: float,
    freqs: F64 | None = None,
    bins: tuple[int, int] = (EXT_LO, EXT_HI),
) -> list[SyncPeak]:
    """The ``keep`` best distinct (speed, freq, phase) peaks with z ≥ ``floor_z``.

    Hypothesis i is time scale ``speeds[i]`` with frequency scale ``freqs[i]``
    (the same as the speed when ``freqs`` is None: a plain speed change);
    ``contrast`` holds the bins ``bins`` reads.
    """
    freqs = speeds if freqs is None else freqs
    unique, column = np.unique(np.round(freqs, 7), return_inverse=True)
    # Hypotheses that share a frequency scale share a projection: normalise each once.
    ys = _normalised(projections(contrast, pats, unique, *bins))[:, column.reshape(-1)]
    scores = phase_scores_all(ys, speeds, hop, pats.sync_frames, normalised=True)
    peaks: list[SyncPeak] = []
    for r, f, z in zip(speeds, freqs, scores, strict=True):
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
                peaks.append(SyncPeak(float(r), float(f), float(j), float(z[j])))
    peaks.sort(key=lambda p: -p.z)
    steps = np.diff(np.unique(speeds))
    step = float(steps.min()) if steps.size else 1.0
    chosen: list[SyncPeak] = []
    for p in peaks:
        if len(chosen) >= keep:
            break
        near = any(
            abs(p.speed - c.speed) <= 2.5 * step
            and abs(p.freq - c.freq) <= 0.02
            and abs(p.phase - c.phase) <= 16
            for c in chosen
        )
        if not near:
            chosen.append(p)
    return chosen
