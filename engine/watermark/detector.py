"""Detection: find the block, read the soft bits, decode, check.

1. Downmix to mono and resample to 44.1 kHz; cut into analysis windows of at
   most :data:`WINDOW_SECONDS` (longer clips are read a window at a time until
   one yields a token, so the cost stays linear in the clip's length).
2. One STFT at a hop of 256 samples (a quarter frame) serves every candidate
   speed and phase: :mod:`engine.watermark.sync` scores them all.
3. The best few peaks are refined (finer speed, sub-hop phase), the frames are
   read again exactly where the refined grid says, and the soft bits of every
   repetition are summed per coded bit, then Viterbi-decoded.
4. A token is reported only if the CRC holds *and* the decoded codeword agrees
   with the soft bits far better than a decode of noise does *and* the sync
   score is high: a false accusation is worse than a miss.
5. Only when that fast path finds nothing, a wider search (bounded to
   :data:`SLOW_WINDOWS` windows) looks for what fans' apps do to clips: tempo
   changes with the pitch kept and pitch shifts with the tempo kept (the time
   scale and the frequency scale of the grid searched apart, on wider bins),
   then speed changes up to ±25 % (the copy resampled towards each of
   :data:`SPEED_CENTRES`, searched ±5 % around each). It tries several times
   the fast path's hypotheses, so it accepts only by a stricter rule
   (:func:`_accept_slow`). Marks made before this search existed are read by
   it too: the embedder did not change.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import scipy.signal

from engine.watermark.keys import KeyPatterns, WatermarkKey, patterns
from engine.watermark.layout import (
    BANDS,
    BLOCK_FRAMES,
    FRAME,
    SAMPLE_RATE,
    SYNC_EVERY,
    band_kept,
    is_sync_frame,
)
from engine.watermark.patchwork import (
    EXT_HI,
    EXT_LO,
    WIDE_HI,
    WIDE_LO,
    band_matrix,
    log_power_at,
    log_power_grid,
    power_floor,
    temporal_contrast,
)
from engine.watermark.payload import CODED_BITS, bits_token, conv_encode, viterbi_decode
from engine.watermark.sync import SyncPeak, band_weights, projections, search

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

HOP = 256
MAX_SPEED_CHANGE = 0.05
SPEED_STEP = 0.0006
WINDOW_SECONDS = 40.0
PEAKS_PER_KEY = 3
Z_CANDIDATE = 4.0
"""Sync peaks under this are not worth decoding (noise peaks reach ≈ 4.5–5)."""
Z_DECODE = 4.0
"""A peak whose refined sync score stays under this is not decoded (noise peaks
refine to ≈ 3–5, marks after a lossy encode to 6 and up; weakly marked acoustic
clips sit at 4.5–5.5, which is why this is below :data:`Z_ACCEPT`)."""
Z_ACCEPT = 5.0
"""The exact-grid sync score the ordinary acceptance needs on top of its CRC."""
Q_ACCEPT = 0.60
"""Agreement of the re-encoded codeword with the soft bits the ordinary
acceptance needs. Viterbi picks the best of 2^80 paths, so decodes of unmarked
audio already agree at ≈ 0.55–0.62; right decodes of marks agree at 0.6–0.95, so
this floor works together with the sync score and the CRC."""
Z_WEAK = 4.0
Q_STRONG = 0.68
"""A decode whose sync score is only ≥ :data:`Z_WEAK` is accepted when its CRC
holds and its codeword agrees at least this well: far above any unmarked decode,
so the CRC (1/65536) is not the only guard there."""
NOMINAL_SPEEDS = np.round(1.0 + SPEED_STEP * np.arange(-2, 3), 6)
Z_NOMINAL = 3.0
"""Most copies play at their original speed, where the search over ±5 % speed has
~170× fewer places to be fooled: the best peak near speed 1 is decoded too, even
when noise peaks elsewhere outscore it (weakly marked acoustic clips)."""
_CLIP_SIGMA = 2.5
_OFFSETS = (-64, 0, 64)
SPEEDS = np.round(np.arange(-MAX_SPEED_CHANGE, MAX_SPEED_CHANGE + 1e-9, SPEED_STEP), 6) + 1.0

TEMPO_SCALES = np.round(1.0 + SPEED_STEP * np.arange(-175, 176), 6)
"""Tempo changes with the pitch kept, ±10.5 %, on the fast path's step."""
PITCH_FREQS = np.round(2.0 ** (np.arange(-9, 10) * 0.25 / 12.0), 6)
"""Pitch shifts with the tempo kept: ±2.25 semitones in quarter tones (a mark still reads ≈ 1.5 %
off its frequency scale); each at three time scales around 1."""
SPEED_CENTRES = (0.905, 1.1, 0.82, 1.21, 0.745)
"""Plain speed changes beyond the fast path's ±5 %: the copy is resampled towards each and searched
±5 % around it, so together they cover ×0.71…×1.27."""
Z_SLOW = 7.0
Q_SLOW = 0.68
"""The wider search tries ~4× the fast path's hypotheses and as many again per speed centre, so it
accepts only a sync peak and a codeword no unmarked audio reached: over 16 unmarked clips (every
style) its best noise peak refined to z 5.9 and its best noise decode matched 0.61, while marks it
found after tempo, pitch and speed changes and a codec read at z 8.7-14 and 0.76-0.98."""
Z_SLOW_DECODE = 6.0
"""The wider search decodes only peaks whose refined score reaches this: acceptance needs
:data:`Z_SLOW` on the exact grid, and decodes are most of its cost."""
SLOW_WINDOWS = 2
"""The wider search reads at most this many analysis windows (≈ 80 s), so its cost is bounded."""
_PITCH_TIMES = 1.0 + SPEED_STEP * np.array([-1.0, 0.0, 1.0])
_WIDE_SPEEDS = np.concatenate([TEMPO_SCALES, np.tile(_PITCH_TIMES, PITCH_FREQS.size)])
_WIDE_FREQS = np.concatenate([np.ones(TEMPO_SCALES.size), np.repeat(PITCH_FREQS, 3)])

_DATA_INDEX = np.cumsum(~is_sync_frame(np.arange(BLOCK_FRAMES))) - 1
_SYNC_INDEX = np.arange(BLOCK_FRAMES) // SYNC_EVERY


@dataclass(frozen=True)
class Detection:
    """A found mark: the token, the key that read it, and where and how fast it sat.

    confidence: 0..1 from how well the codeword matched the soft bits;
    offset_s: where the first whole block starts in the given audio;
    speed: playback speed relative to the original (1.02 = 2 % faster);
    pitch: how far its partials moved (1.02 = 2 % higher; equal to ``speed`` for a
        plain speed change, 1.0 for a tempo change that kept the pitch).
    """

    token: int
    key_id: str
    confidence: float
    offset_s: float
    speed: float
    pitch: float = 1.0


def _mono44(audio: npt.NDArray[np.floating], sr: int) -> F32:
    x = np.asarray(audio, dtype=np.float32)
    if x.ndim == 2:
        x = x.mean(axis=0) if x.shape[0] <= 8 else x.mean(axis=1)
    if x.ndim != 1:
        raise ValueError(f"audio must be (channels, samples), got shape {np.asarray(audio).shape}")
    x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
    if sr != SAMPLE_RATE:
        g = math.gcd(int(sr), SAMPLE_RATE)
        x = scipy.signal.resample_poly(x, SAMPLE_RATE // g, int(sr) // g).astype(np.float32)
    return np.ascontiguousarray(x, dtype=np.float32)


def _weigh(contrast: F32) -> F32:
    """Clip outliers (onsets) at 2.5 σ per bin, then weigh each bin by 1/σ²."""
    sigma = np.maximum(contrast.std(axis=0), 1e-3)
    clipped = np.clip(contrast, -_CLIP_SIGMA * sigma, _CLIP_SIGMA * sigma)
    out: F32 = (clipped / (sigma * sigma)).astype(np.float32)
    return out


@dataclass(frozen=True)
class _Decoded:
    token: int | None
    quality: float
    z: float
    start: float


def _refine(
    weighted: F32, pats: KeyPatterns, peak: SyncPeak, bins: tuple[int, int] = (EXT_LO, EXT_HI)
) -> tuple[float, float, float]:
    """A finer speed (¼ step) and a sub-hop phase around a peak, on the hop grid.

    A plain speed change (``freq == speed``) refines both scales together; a
    tempo or pitch change keeps the peak's frequency scale.
    """
    best: tuple[float, float, float] = (peak.z, peak.speed, peak.phase)
    total = weighted.shape[0]
    fine = peak.speed + SPEED_STEP * np.array([-0.5, -0.25, 0.0, 0.25, 0.5])
    coupled = peak.freq == peak.speed
    ys = projections(weighted, pats, fine if coupled else np.full(fine.shape, peak.freq), *bins)
    scores: dict[tuple[int, int], float] = {}
    for i, r in enumerate(fine):
        per_frame = FRAME / HOP / r
        for d in range(-2, 3):
            at = int(peak.phase) + d
            z = _z_at(ys[:, i], at, per_frame, pats, total)
            scores[(i, d)] = z
            if z > best[0]:
                best = (z, float(r), float(at))
    z_best, speed, phase = best
    i = int(np.argmin(np.abs(fine - speed)))
    d = int(phase) - int(peak.phase)
    left, mid, right = scores.get((i, d - 1)), scores.get((i, d)), scores.get((i, d + 1))
    if left is not None and right is not None and mid is not None:
        curve = left - 2 * mid + right
        if curve < 0:
            phase += float(np.clip(0.5 * (left - right) / curve, -0.5, 0.5))
    return speed, phase, z_best


def _z_at(y: F32, phase: int, per_frame: float, pats: KeyPatterns, total: int) -> float:
    k = np.arange(-BLOCK_FRAMES, int(total / per_frame) + BLOCK_FRAMES)
    k = k[is_sync_frame(k % BLOCK_FRAMES)]
    pos = phase + np.rint(k * per_frame).astype(np.int64)
    ok = (pos >= 0) & (pos < total)
    if not ok.any():
        return 0.0
    vals = y[pos[ok]].astype(np.float64)
    signs = pats.sync_frames[_SYNC_INDEX[k[ok] % BLOCK_FRAMES]]
    return float(np.dot(signs, vals) / math.sqrt(max(float(np.dot(vals, vals)), 1e-12)))


def _read_exact(
    mono: F32, floor: float, start: float, speed: float, freq: float, bins: tuple[int, int]
) -> tuple[F32, npt.NDArray[np.int64]]:
    """Band contrasts (frames, BANDS) of the frames a block starting at ``start`` (samples) implies."""
    per_frame = FRAME / speed
    k_lo = math.ceil(-start / per_frame)
    k_hi = math.floor((mono.shape[0] - FRAME - start) / per_frame)
    k = np.arange(k_lo, k_hi + 1)
    starts = np.rint(start + k * per_frame).astype(np.int64)
    keep = (starts >= 0) & (starts <= mono.shape[0] - FRAME)
    k, starts = k[keep], starts[keep]
    power = log_power_at(mono, starts, floor, *bins)
    bands = (temporal_contrast(power, 1) @ band_matrix(freq, *bins).astype(np.float32)).astype(np.float32)
    return bands, k


def _soft_at(
    mono: F32,
    floor: float,
    start: float,
    scale: tuple[float, float],
    pats: KeyPatterns,
    bins: tuple[int, int],
) -> tuple[F64, float] | None:
    """Soft coded bits (normalised to unit mean square) and the sync z-score of the grid at ``start``
    read at ``scale`` = (time, frequency)."""
    bands, k = _read_exact(mono, floor, start, scale[0], scale[1], bins)
    if k.size < 2 * SYNC_EVERY:
        return None
    sigma = np.maximum(bands.std(axis=0), 1e-3)
    bands = np.clip(bands, -_CLIP_SIGMA * sigma, _CLIP_SIGMA * sigma)
    # Inverse-variance weights only (see :func:`~engine.watermark.sync.band_weights`).
    weight = 1.0 / (sigma * sigma)
    position = k % BLOCK_FRAMES
    sync = is_sync_frame(position)
    y = bands[sync] @ (band_weights(pats) * weight)
    signs = pats.sync_frames[_SYNC_INDEX[position[sync]]]
    z = float(np.dot(signs, y) / math.sqrt(max(float(np.dot(y, y)), 1e-12)))
    data_rows = _DATA_INDEX[position[~sync]]
    contrib = pats.cell_sign[data_rows] * bands[~sync] * weight[None, :]
    soft: F64 = np.bincount(pats.cell_bit[data_rows].ravel(), contrib.ravel(), minlength=CODED_BITS).astype(
        np.float64
    )
    norm = float(np.linalg.norm(soft))
    if norm <= 0:
        return None
    return soft / norm * math.sqrt(CODED_BITS), z


def _decode(
    mono: F32,
    floor: float,
    start: float,
    scale: tuple[float, float],
    pats: KeyPatterns,
    bins: tuple[int, int] = (EXT_LO, EXT_HI),
) -> _Decoded:
    read = _soft_at(mono, floor, start, scale, pats, bins)
    if read is None:
        return _Decoded(None, 0.0, 0.0, start)
    soft, z = read
    bits = viterbi_decode(soft)
    chips = 2.0 * conv_encode(bits).astype(np.float64) - 1.0
    quality = float(np.dot(chips, soft) / CODED_BITS)
    return _Decoded(bits_token(bits), quality, z, start)


def _windows(n: int) -> list[tuple[int, int]]:
    size = int(WINDOW_SECONDS * SAMPLE_RATE)
    if n <= size * 1.25:
        return [(0, n)]
    out: list[tuple[int, int]] = []
    start = 0
    while start < n:
        end = min(n, start + size)
        if end - start < size // 2 and out:
            out[-1] = (out[-1][0], end)
            break
        out.append((start, end))
        start = end
    return out


@dataclass(frozen=True)
class _Found:
    key: WatermarkKey
    decoded: _Decoded
    speed: float  # time scale of the copy against the original
    freq: float  # frequency scale
    start_scale: float = 1.0  # samples of the searched audio per sample of the copy


def _grid(mono: F32, bins: tuple[int, int]) -> tuple[float, F32] | None:
    """The clip's floor and its weighted contrast grid (bins ``bins``), or None when too short."""
    floor = power_floor(mono)
    grid = log_power_grid(mono, HOP, floor, *bins)
    if grid.shape[0] < 8 * FRAME // HOP:
        return None
    return floor, _weigh(temporal_contrast(grid, FRAME // HOP))


def _try_peaks(
    mono: F32,
    floor: float,
    weighted: F32,
    key: WatermarkKey,
    peaks: list[SyncPeak],
    bins: tuple[int, int],
    accept: Callable[[_Decoded], bool],
    observe: list[_Decoded] | None,
    z_decode: float = Z_DECODE,
) -> _Found | None:
    """Refine and decode each peak whose refined score reaches ``z_decode``; the first accepted decode."""
    pats = patterns(key)
    for peak in peaks:
        speed, phase, z = _refine(weighted, pats, peak, bins)
        if z < z_decode:
            continue
        freq = speed if peak.freq == peak.speed else peak.freq
        tries = [_decode(mono, floor, phase * HOP + off, (speed, freq), pats, bins) for off in _OFFSETS]
        if observe is not None:
            observe.extend(tries)
        accepted = [d for d in tries if accept(d)]
        if accepted:
            return _Found(key, max(accepted, key=lambda d: (d.quality, d.z)), speed, freq)
    return None


def _detect_window(
    mono: F32,
    keys: Sequence[WatermarkKey],
    observe: list[_Decoded] | None = None,
    accept: Callable[[_Decoded], bool] | None = None,
    nominal: bool = True,
    z_decode: float = Z_DECODE,
) -> _Found | None:
    """The fast path: plain speed changes within ±5 % (with a closer look at speed 1 when ``nominal``)."""
    read = _grid(mono, (EXT_LO, EXT_HI))
    if read is None:
        return None
    floor, weighted = read
    for key in keys:
        pats = patterns(key)
        peaks = search(weighted, pats, SPEEDS, HOP, PEAKS_PER_KEY, Z_CANDIDATE)
        for extra in search(weighted, pats, NOMINAL_SPEEDS, HOP, 1, Z_NOMINAL) if nominal else []:
            near = (abs(extra.speed - p.speed) <= 0.0015 and abs(extra.phase - p.phase) <= 16 for p in peaks)
            if not any(near):
                peaks.append(extra)
        found = _try_peaks(
            mono, floor, weighted, key, peaks, (EXT_LO, EXT_HI), accept or _accept, observe, z_decode
        )
        if found is not None:
            return found
    return None


def _slow_window(mono: F32, keys: Sequence[WatermarkKey], observe: list[_Decoded] | None) -> _Found | None:
    """The wider search, run only when the fast path found nothing.

    First tempo changes with the pitch kept and pitch shifts with the tempo
    kept, on one grid of wider bins (:data:`TEMPO_SCALES`, :data:`PITCH_FREQS`);
    then plain speed changes beyond ±5 %, by resampling the copy towards each of
    :data:`SPEED_CENTRES` and running the fast path's ±5 % search there. Every
    decode here must pass :func:`_accept_slow`, stricter than the fast path's,
    because many more hypotheses are tried.
    """
    bins = (WIDE_LO, WIDE_HI)
    read = _grid(mono, bins)
    if read is None:
        return None
    floor, weighted = read
    for key in keys:
        pats = patterns(key)
        peaks = search(weighted, pats, _WIDE_SPEEDS, HOP, PEAKS_PER_KEY, Z_CANDIDATE, _WIDE_FREQS, bins)
        found = _try_peaks(mono, floor, weighted, key, peaks, bins, _accept_slow, observe, Z_SLOW_DECODE)
        if found is not None:
            return found
    for centre in SPEED_CENTRES:
        ratio = Fraction(centre).limit_denominator(64)
        stretched = scipy.signal.resample_poly(mono, ratio.numerator, ratio.denominator).astype(np.float32)
        found = _detect_window(stretched, keys, observe, _accept_slow, nominal=False, z_decode=Z_SLOW_DECODE)
        if found is not None:
            g = float(ratio)
            return _Found(found.key, found.decoded, found.speed * g, found.freq * g, g)
    return None


def _accept(d: _Decoded) -> bool:
    """CRC, plus either a clear sync peak and a good codeword, or a weaker peak and a codeword
    that only a real mark produces."""
    if d.token is None:
        return False
    return (d.z >= Z_ACCEPT and d.quality >= Q_ACCEPT) or (d.z >= Z_WEAK and d.quality >= Q_STRONG)


def _accept_slow(d: _Decoded) -> bool:
    """The wider search's rule: CRC, a sync peak no noise peak of that search reaches, a good codeword."""
    return d.token is not None and d.z >= Z_SLOW and d.quality >= Q_SLOW


def detect(audio: npt.NDArray[np.floating], sr: int, keys: Sequence[WatermarkKey]) -> Detection | None:
    """The token marked in ``audio`` under one of ``keys``, or None.

    Args:
        audio: (channels, samples) or 1-D, at any rate that keeps part of the mark's
            band (:func:`~engine.watermark.layout.band_kept` above 0; 8 kHz keeps a third);
            it is resampled to 44.1 kHz and read as far as the band goes.
        sr: its sample rate.
        keys: every key still in use; each is tried in turn.
    """
    return _detect(audio, sr, keys, None)


def _detect(
    audio: npt.NDArray[np.floating],
    sr: int,
    keys: Sequence[WatermarkKey],
    observe: list[_Decoded] | None,
    slow: bool = True,
) -> Detection | None:
    """:func:`detect`, also appending every decode attempt to ``observe`` (the benchmark measures
    the false-positive margin from them); ``slow=False`` stops after the fast path."""
    if band_kept(sr) == 0.0:
        raise ValueError(f"a sample rate of {sr} Hz keeps none of the watermark's band")
    if not keys:
        return None
    mono = _mono44(audio, sr)
    windows = _windows(mono.shape[0])
    for lo, hi in windows:
        found = _detect_window(mono[lo:hi], keys, observe)
        if found is not None:
            return _detection(found, lo)
    if not slow:
        return None
    for lo, hi in windows[:SLOW_WINDOWS]:
        found = _slow_window(mono[lo:hi], keys, observe)
        if found is not None:
            return _detection(found, lo)
    return None


def _detection(found: _Found, window_start: int) -> Detection:
    decoded = found.decoded
    assert decoded.token is not None
    period = BLOCK_FRAMES * FRAME / found.speed * found.start_scale
    offset = (window_start + (decoded.start % period) / found.start_scale) / SAMPLE_RATE
    confidence = float(np.clip((decoded.quality - Q_ACCEPT) / (1.0 - Q_ACCEPT), 0.0, 1.0))
    return Detection(
        decoded.token,
        found.key.key_id,
        round(0.5 + 0.5 * confidence, 4),
        offset,
        round(found.speed, 4),
        round(found.freq, 4),
    )


__all__ = ["BANDS", "Detection", "detect"]
