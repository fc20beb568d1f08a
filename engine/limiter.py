"""A look-ahead peak limiter that works on a true-peak envelope, offline.

Mastering raises a clip to −14 LUFS and must still keep its true peak under
−1 dBTP, so the limiter listens to the 4× interpolated signal (see
:func:`engine.loudness.true_peak_envelope`), not to the samples.

A render has the whole clip, so nothing here is causal: the gain curve is
the required gain (``ceiling / peak``), held back by a sliding minimum (that
is the look-ahead and the hold) and then smoothed by two moving averages (a
triangle, so gain changes follow an S-curve instead of a click). The minimum
window covers the smoothing window, which guarantees the smoothed gain never
exceeds what any peak requires. All of this runs on blocks of a few samples,
each taking its loudest sample, which is 15× cheaper than working per sample
and inaudible: the curve moves over milliseconds anyway.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.ndimage
from numpy.typing import NDArray

ATTACK_S = 0.005
"""Gain ramps down over this before a peak: short enough to keep transients' weight."""
HOLD_S = 0.015
"""Gain stays down this long after a peak, so close peaks do not make it flutter."""
_BLOCK_TARGET = 16


@dataclass(frozen=True)
class LimiterGrid:
    """How a clip is cut into blocks for the gain curve.

    ``block`` divides ``hop`` (the 100 ms loudness hop) so that block energies
    add up to exactly the hops the loudness gate reads.
    """

    block: int
    attack_blocks: int
    hold_blocks: int

    @classmethod
    def for_rate(cls, sample_rate: int, hop: int) -> LimiterGrid:
        """A grid of about 16-sample blocks whose size divides ``hop``."""
        divisors = [d for d in range(1, hop + 1) if hop % d == 0]
        block = min(divisors, key=lambda d: (abs(d - _BLOCK_TARGET), d))
        # The smoothing boxcar has attack_blocks + 1 taps; keep that odd so it is centred.
        half = max(2, round(ATTACK_S * sample_rate / block / 2))
        attack = half + half % 2
        hold = max(2, math.ceil(HOLD_S * sample_rate / block))
        return cls(block=block, attack_blocks=attack, hold_blocks=hold)

    def blocks(self, samples: int) -> int:
        return -(-samples // self.block)


def block_peaks(envelope: NDArray[np.float32], grid: LimiterGrid) -> NDArray[np.float32]:
    """The loudest envelope value in each block (the last block zero-padded)."""
    padded = np.zeros(grid.blocks(envelope.shape[0]) * grid.block, dtype=np.float32)
    padded[: envelope.shape[0]] = envelope
    peaks: NDArray[np.float32] = padded.reshape(-1, grid.block).max(axis=1)
    return peaks


def gain_curve(
    peaks: NDArray[np.float32], drive: float, ceiling: float, grid: LimiterGrid
) -> NDArray[np.float32]:
    """Limiter gain per block for a signal scaled by ``drive``; never above 1.

    Guarantees ``drive * gain[b] * peaks[b] <= ceiling``, and the same for the
    gain interpolated between neighbouring blocks (see :func:`expand`).
    """
    with np.errstate(divide="ignore"):
        required = np.minimum(1.0, ceiling / (drive * peaks.astype(np.float64)))
    if bool(required.min() >= 1.0):
        return np.ones(peaks.shape[0], dtype=np.float32)
    attack, hold = grid.attack_blocks, grid.hold_blocks
    # Block j may not exceed what any block in [j - attack - hold, j + attack + 1]
    # requires: +attack for the triangle's support, +hold after peaks, and +1
    # for the interpolation towards the next block and the interpolator's reach.
    size = 2 * attack + hold + 2
    origin = attack + hold - size // 2
    held = scipy.ndimage.minimum_filter1d(required, size, mode="nearest", origin=origin)
    smooth = scipy.ndimage.uniform_filter1d(held, attack + 1, mode="nearest")
    smooth = scipy.ndimage.uniform_filter1d(smooth, attack + 1, mode="nearest")
    return np.asarray(smooth, dtype=np.float32)


def expand(gain: NDArray[np.float32], samples: int, grid: LimiterGrid) -> NDArray[np.float32]:
    """Per-sample gain, interpolated linearly from each block's start to the next's."""
    following = np.append(gain[1:], gain[-1])
    ramp = np.arange(grid.block, dtype=np.float32) / np.float32(grid.block)
    per_sample: NDArray[np.float32] = gain[:, np.newaxis] + (following - gain)[:, np.newaxis] * ramp
    return per_sample.reshape(-1)[:samples]
