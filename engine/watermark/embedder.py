"""Embedding: token → coded bits → per-cell gains → an added signal.

The mark's strength adapts to the clip (the "masking estimate") at two
levels. Per cell, :func:`~engine.watermark.patchwork.strength_shape` gives a
band that stands out of its spectral neighbourhood (a sung harmonic) less
and the valleys between partials more, so the mark's energy is spread
evenly instead of sitting on the loudest partials. Per clip, one scale (in
dB, within 0.25–3×, each cell capped at ±5 dB) puts the added signal at
:data:`~engine.watermark.layout.TARGET_SNR_DB` under the music: a bright mix
or a bass-heavy one takes a deeper mark than a mid-range solo voice. Every
cell is relative to the music already in it, so quiet passages get a
proportionally quiet mark.

The mark is computed on the mid (mean of the channels) and added to every
channel alike: the mono downmix a detector reads carries it exactly, and
the work is one channel's.

Output is deterministic in (audio, token, key): no randomness beyond the key.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import scipy.signal

from engine.watermark.keys import WatermarkKey, patterns
from engine.watermark.layout import (
    BANDS,
    BLOCK_FRAMES,
    DATA_POSITIONS,
    FRAME,
    SAMPLE_RATE,
    SYNC_POSITIONS,
    TARGET_SNR_DB,
    band_delta_db,
)
from engine.watermark.patchwork import mark_signal
from engine.watermark.payload import conv_encode, token_bits

_MIN_SCALE = 0.25
_MAX_SCALE = 3.0
_MIN_SAMPLES = SAMPLE_RATE  # one second


def block_gains_db(info_bits: npt.NDArray[np.uint8], key: WatermarkKey) -> npt.NDArray[np.float64]:
    """(BLOCK_FRAMES, BANDS) gains in dB at base strength for one block carrying ``info_bits``."""
    p = patterns(key)
    chips = 2.0 * conv_encode(info_bits).astype(np.float64) - 1.0
    signs = np.empty((BLOCK_FRAMES, BANDS))
    signs[SYNC_POSITIONS] = np.outer(p.sync_frames, p.sync_bands)
    signs[DATA_POSITIONS] = p.cell_sign * chips[p.cell_bit]
    return signs * band_delta_db()[None, :]


def _as_channels(audio: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
    if audio.ndim == 1:
        return audio[None, :].astype(np.float32)
    if audio.ndim != 2 or audio.shape[0] not in (1, 2):
        raise ValueError(f"audio must be (channels, samples) with 1 or 2 channels, got shape {audio.shape}")
    return np.asarray(audio, dtype=np.float32)


def embed(
    audio: npt.NDArray[np.floating], sr: int, token: int, key: WatermarkKey
) -> npt.NDArray[np.floating]:
    """``audio`` with ``token`` embedded under ``key``; same shape and dtype.

    Args:
        audio: (channels, samples), 1 or 2 channels (a 1-D array is mono).
        sr: its sample rate; the mark is made at 44.1 kHz and resampled to ``sr``.
        token: the 64-bit token (0 ≤ token < 2**64).
        key: the key to mark with.

    Raises:
        ValueError: bad shape, non-finite samples, a bad rate or token.
    """
    return embed_bits(audio, sr, token_bits(token), key)


def embed_bits(
    audio: npt.NDArray[np.floating], sr: int, info_bits: npt.NDArray[np.uint8], key: WatermarkKey
) -> npt.NDArray[np.floating]:
    """:func:`embed` for raw information bits (token + CRC); tests use it to plant a bad CRC."""
    if sr < 16_000:
        raise ValueError(f"watermarking needs a sample rate of at least 16 kHz, got {sr}")
    x = _as_channels(np.asarray(audio))
    if not np.all(np.isfinite(x)):
        raise ValueError("audio contains NaN or infinite samples")
    gains = block_gains_db(info_bits, key)
    n = x.shape[1]
    # The mark lives in the mid signal and is added to every channel alike:
    # the mono downmix a detector reads then carries it exactly, and the
    # STFT work is one channel's whatever the layout.
    mid = x.mean(axis=0, keepdims=True, dtype=np.float32)
    if sr != SAMPLE_RATE:
        g = math.gcd(sr, SAMPLE_RATE)
        mid44 = scipy.signal.resample_poly(mid, SAMPLE_RATE // g, sr // g, axis=1).astype(np.float32)
    else:
        mid44 = mid
    if mid44.shape[1] < _MIN_SAMPLES:  # too short for any detector to read: leave it alone
        return np.array(audio, copy=True)
    frames = mid44.shape[1] // FRAME + (1 if mid44.shape[1] % FRAME else 0)
    reps = -(-frames // BLOCK_FRAMES)
    flat = x.reshape(-1)
    signal_energy = float(np.dot(flat, flat)) * mid44.shape[1] / n
    if signal_energy <= 0.0:
        return np.array(audio, copy=True)
    # Energy per channel the mark may take at 44.1 kHz (the same signal goes in every channel).
    budget = signal_energy / x.shape[0] * 10.0 ** (-TARGET_SNR_DB / 10.0)
    added, _ = mark_signal(mid44, np.tile(gains, (reps, 1))[:frames], budget, (_MIN_SCALE, _MAX_SCALE))
    mark_energy = float(np.dot(added[0], added[0]))
    if mark_energy <= 0.0:
        return np.array(audio, copy=True)
    if mark_energy > budget:  # the estimate ran over: never under the SNR target
        added *= np.float32(math.sqrt(budget / mark_energy))
    if sr != SAMPLE_RATE:
        g = math.gcd(sr, SAMPLE_RATE)
        back = scipy.signal.resample_poly(added, sr // g, SAMPLE_RATE // g, axis=1).astype(np.float32)
        added = np.zeros_like(mid)
        m = min(n, back.shape[1])
        added[:, :m] = back[:, :m]
    marked = x + added
    out = marked[0] if np.asarray(audio).ndim == 1 else marked
    return out.astype(np.asarray(audio).dtype, copy=False)
