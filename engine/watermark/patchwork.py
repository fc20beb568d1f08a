"""Patchwork in the STFT: scale bands up or down to embed, read log powers to detect.

Embedding multiplies each (frame, band) cell of the spectrum by 10^(±δ/20):
the sign carries one chip of a bit (or of the sync pattern). It is done as an
added signal — the original plus a filtered copy of itself — computed by an
STFT with 1024-sample sqrt-Hann frames at a hop of 512 (perfect
reconstruction): the frames that line up with a mark frame get its gains,
the frames in between the mean of their two neighbours, so the gain changes
smoothly and nothing clicks at frame edges.

Detection reads the log power (dB) of Hann-windowed frames. Music is far
louder than the mark, but it changes slowly from frame to frame while the
mark's signs change at random, so each cell is compared with the mean of the
same bins two frames either side (:func:`temporal_contrast`): that cancels
most of the music and keeps most of the mark.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import numpy.typing as npt
import scipy.fft
import scipy.ndimage

from engine.watermark.layout import BANDS, BIN_HI, BIN_LO, BIN_WIDTH, FRAME

HALF = FRAME // 2
EXT_LO = 17
EXT_HI = 247
"""Bins read by the detector: the marked bins with room for a ±5.5 % speed change."""
WIDE_LO = 15
WIDE_HI = 270
"""Bins the wider search reads: room for a pitch moved by ±2.3 semitones (×0.875…×1.143)."""

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

_SQRT_HANN = np.sqrt(0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FRAME) / FRAME)).astype(np.float32)
_HANN = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FRAME) / FRAME)).astype(np.float32)


MAX_CELL_DB = 5.0
"""No cell is ever moved by more than this (dB), whatever strength the clip could take."""
_ENERGY_PER_POWER = 1.8 / FRAME
"""Added-signal energy per unit of changed spectral power summed over STFT frames and bins
(sqrt-Hann analysis and synthesis at 50 % overlap, one-sided spectrum; measured on music,
where overlapping frames add partly coherently). The embedder trims any overshoot."""


def mark_signal(
    audio: F32, gains_db: F64, mark_energy: float, scale_range: tuple[float, float]
) -> tuple[F32, float]:
    """The signal to add to ``audio`` (channels, n) so mark frame k gets (a multiple of) ``gains_db[k]``.

    ``gains_db`` is (frames, BANDS) at base strength, frame k covering samples
    [1024 k, 1024 k + 1024); frames past its end are left alone. Each cell is
    shaped by :func:`strength_shape`, then every gain is multiplied (in dB, so
    up and down stay symmetric) by the one scale within ``scale_range`` that
    makes the added signal's energy ``mark_energy``, and capped at
    ±:data:`MAX_CELL_DB`. Returns the added signal and that scale.
    """
    channels, n = audio.shape
    frames = gains_db.shape[0]
    halves = 2 * frames + 2
    padded = np.zeros((channels, halves * HALF), dtype=np.float32)
    take = min(n, halves * HALF - HALF)
    padded[:, HALF : HALF + take] = audio[:, :take]
    view = np.lib.stride_tricks.sliding_window_view(padded, FRAME, axis=1)[:, ::HALF]
    stft_frames = view * _SQRT_HANN  # (C, 2K+1, 1024), frame m starts at 512 m - 512
    spectrum = scipy.fft.rfft(stft_frames, axis=2, workers=1, overwrite_x=True)
    marked = spectrum[:, :, BIN_LO:BIN_HI]
    bin_power = (marked.real**2 + marked.imag**2).sum(axis=0)
    band_power = bin_power.reshape(bin_power.shape[0], BANDS, BIN_WIDTH).sum(axis=2, dtype=np.float64)
    gains_db = gains_db * strength_shape(band_power[1::2])
    band = np.zeros((2 * frames + 1, BANDS), dtype=np.float64)
    band[1::2] = gains_db
    band[0:-1:2] += 0.5 * gains_db
    band[2::2] += 0.5 * gains_db
    scale = _scale_for(band, band_power, mark_energy, scale_range)
    db = np.clip(band * scale, -MAX_CELL_DB, MAX_CELL_DB)
    factor = np.repeat((np.power(10.0, db / 20.0) - 1.0).astype(np.float32), BIN_WIDTH, axis=1)
    # The spectrum becomes the added part in place: zero outside the marked bins.
    spectrum[:, :, :BIN_LO] = 0.0
    spectrum[:, :, BIN_HI:] = 0.0
    spectrum[:, :, BIN_LO:BIN_HI] *= factor
    added = scipy.fft.irfft(spectrum, n=FRAME, axis=2, workers=1, overwrite_x=True).astype(
        np.float32, copy=False
    )
    added *= _SQRT_HANN
    out = np.zeros((channels, halves, HALF), dtype=np.float32)
    out[:, :-1] += added[:, :, :HALF]
    out[:, 1:] += added[:, :, HALF:]
    result = np.zeros_like(audio)
    result[:, :take] = out.reshape(channels, -1)[:, HALF : HALF + take]
    return result, scale


def _scale_for(band_db: F64, band_power: F64, energy: float, scale_range: tuple[float, float]) -> float:
    """The gain scale whose added energy is ``energy`` (bisection: energy grows with the scale)."""
    # A subsample of frames is plenty for one number; an odd step takes mark
    # frames and in-between frames alike.
    step = max(1, band_db.shape[0] // 600) | 1
    g = (band_db[::step] * (math.log(10.0) / 20.0)).astype(np.float32)
    p = (band_power[::step] * (_ENERGY_PER_POWER * step)).astype(np.float32)
    cap = np.float32(MAX_CELL_DB * math.log(10.0) / 20.0)

    def added(scale: float) -> float:
        f = np.expm1(np.clip(g * np.float32(scale), -cap, cap))
        return float(np.sum(p * f * f, dtype=np.float64))

    lo, hi = scale_range
    if added(lo) >= energy:
        return lo
    if added(hi) <= energy:
        return hi
    for _ in range(14):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if added(mid) < energy else (lo, mid)
    return lo


SHAPE_ALPHA = 0.5
SHAPE_LO = 0.3
SHAPE_HI = 1.6
SHAPE_RADIUS = 3


def strength_shape(band_power: F64) -> F64:
    """(frames, BANDS) strength multipliers: a band standing out of its neighbourhood gets less.

    The mark in a cell costs energy in proportion to the cell's power, and a
    loud partial (a sung harmonic) takes most of the mark's energy while it
    hides a modulation worst. Scaling each cell by (local mean / its power)^α
    evens out the energy per cell, so the clip-wide strength can go up for the
    same SNR and the valleys between partials carry more of the mark.
    """
    local = scipy.ndimage.uniform_filter1d(band_power, 2 * SHAPE_RADIUS + 1, axis=1, mode="nearest")
    ratio = local / np.maximum(band_power, 1e-30)
    out: F64 = np.clip(ratio**SHAPE_ALPHA, SHAPE_LO, SHAPE_HI)
    return out


def _log_power(frames: F32, floor: float, lo: int = EXT_LO, hi: int = EXT_HI) -> F32:
    spectrum = scipy.fft.rfft(frames * _HANN, axis=1, workers=1)[:, lo:hi]
    power = spectrum.real**2 + spectrum.imag**2
    out: F32 = (10.0 * np.log10(power + np.float32(floor))).astype(np.float32)
    return out


def power_floor(mono: F32) -> float:
    """A floor −70 dB under the clip's mean bin power, so silence reads as flat, not as −inf."""
    mean_square = float(np.mean(mono.astype(np.float64) ** 2)) if mono.size else 0.0
    return max(mean_square * FRAME * 0.375 * 1e-7, 1e-20)


def log_power_grid(mono: F32, hop: int, floor: float, lo: int = EXT_LO, hi: int = EXT_HI) -> F32:
    """dB power of bins ``lo``..``hi`` for frames starting at 0, hop, 2 hop, …"""
    count = max(0, (mono.shape[0] - FRAME) // hop + 1)
    if count == 0:
        return np.zeros((0, hi - lo), dtype=np.float32)
    view = np.lib.stride_tricks.sliding_window_view(mono, FRAME)[::hop][:count]
    return _log_power(np.ascontiguousarray(view), floor, lo, hi)


def log_power_at(
    mono: F32, starts: npt.NDArray[np.int64], floor: float, lo: int = EXT_LO, hi: int = EXT_HI
) -> F32:
    """dB power of bins ``lo``..``hi`` for frames starting at ``starts`` (each fully inside ``mono``)."""
    index = starts[:, None] + np.arange(FRAME)[None, :]
    return _log_power(mono[index], floor, lo, hi)


def band_matrix(freq: float, lo: int = EXT_LO, hi: int = EXT_HI) -> F64:
    """(bins lo..hi, BANDS): reads each band where a frequency scaling by ``freq`` moved it.

    Playing ``freq`` times faster (or shifting the pitch by that ratio) moves
    bin i to bin i·freq; each band is the mean of its four bins read there
    with linear interpolation.
    """
    return _band_matrix(round(float(freq), 7), lo, hi)


@functools.lru_cache(maxsize=1024)
def _band_matrix(freq: float, ext_lo: int, ext_hi: int) -> F64:
    bins = np.arange(BIN_LO, BIN_HI)
    pos = bins * freq - ext_lo
    lo = np.floor(pos).astype(np.int64)
    frac = pos - lo
    band = (bins - BIN_LO) // BIN_WIDTH
    ok = (lo >= 0) & (lo < ext_hi - ext_lo - 1)
    matrix = np.zeros((ext_hi - ext_lo, BANDS))
    np.add.at(matrix, (lo[ok], band[ok]), (1.0 - frac[ok]) / BIN_WIDTH)
    np.add.at(matrix, (lo[ok] + 1, band[ok]), frac[ok] / BIN_WIDTH)
    matrix.setflags(write=False)
    return matrix


def temporal_contrast(power_db: F32, stride: int) -> F32:
    """Each frame minus the mean of the frames 1 and 2 strides away (edges repeat)."""
    t = power_db.shape[0]
    if t == 0:
        return power_db
    pad = 2 * stride
    padded = np.concatenate(
        [np.repeat(power_db[:1], pad, axis=0), power_db, np.repeat(power_db[-1:], pad, axis=0)]
    )
    around = (
        padded[0:t]
        + padded[stride : stride + t]
        + padded[3 * stride : 3 * stride + t]
        + padded[4 * stride : 4 * stride + t]
    )
    out: F32 = (power_db - 0.25 * around).astype(np.float32)
    return out
