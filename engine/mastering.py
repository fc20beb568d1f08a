"""Mastering: every clip leaves at −14 LUFS integrated with a true peak ≤ −1 dBTP.

−14 LUFS is what Spotify, YouTube and most players normalise to, so a clip
sounds as loud as the songs around it instead of being turned down (or up,
with the player's own limiter). −1 dBTP leaves room for the overshoot of
lossy encoders, which otherwise clip on playback.

The order inside :func:`master`: fades → measure → gain → true-peak limiter,
re-measuring and compensating the loudness the limiter took. The fades come
first so the loudness reading includes them. In the render pipeline the
watermark comes next, then the encoder; the watermark moves loudness by less
than 0.1 LU but may nudge peaks, so the pipeline runs :func:`trim_to_true_peak`
on the watermarked audio just before encoding.

Speed: about 100 ms for a 30 s stereo clip on one core, because the costly
steps (K-weighting, 4× interpolation) run a fixed number of times: the
loudness of each candidate gain is predicted from K-weighted energies kept per
limiter block, and only the final result is measured again in full.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from engine import limiter
from engine.loudness import (
    as_channels,
    gated_loudness,
    hop_length,
    integrated_loudness,
    k_weighted_energy,
    true_peak,
    true_peak_envelope,
)

DEFAULT_TARGET_LUFS = -14.0
DEFAULT_TRUE_PEAK_DB = -1.0
MAX_GAIN_DB = 40.0
"""More gain than this would only lift a near-silent render's noise floor."""

_HEADROOM_DB = 6.0
"""How far beyond the first gain the loudness compensation may drive the limiter."""
_LIMITER_MARGIN_DB = 0.05
"""Aim the limiter a hair under the ceiling; the final trim catches any rest."""
_PREDICTION_ROUNDS = 6
_TOLERANCE_LU = 0.05
_VERIFY_TOLERANCE_LU = 0.2


@dataclass(frozen=True, eq=False)
class MasterResult:
    """A mastered clip and what the meter read on it.

    Attributes:
        audio: ``(2, samples)`` float32.
        lufs: integrated loudness of ``audio``; ``-inf`` when ``silent``.
        true_peak_db: true peak of ``audio`` in dBTP; ``-inf`` when ``silent``.
        gain_db: static gain applied before the limiter.
        limiter_db: the deepest gain reduction of the limiter (0 when idle).
        silent: the input had nothing above the −70 LUFS gate, so the output
            is digital silence rather than amplified noise.
    """

    audio: NDArray[np.float32]
    lufs: float
    true_peak_db: float
    gain_db: float
    limiter_db: float = 0.0
    silent: bool = False


def master(
    audio: ArrayLike,
    sample_rate: int,
    *,
    target_lufs: float = DEFAULT_TARGET_LUFS,
    true_peak_db: float = DEFAULT_TRUE_PEAK_DB,
    fade_in_s: float = 0.02,
    fade_out_s: float = 1.5,
    max_gain_db: float = MAX_GAIN_DB,
) -> MasterResult:
    """Fade, normalise to ``target_lufs`` and limit to ``true_peak_db``.

    Args:
        audio: ``(channels, samples)`` or mono ``(samples,)``; mono and
            one-channel input become two identical channels.
        sample_rate: of ``audio``, in Hz.
        target_lufs: integrated loudness to reach, within ±0.5 LU for music
            (a signal that needs more than ``max_gain_db`` stays quieter).
        true_peak_db: ceiling for the 4× interpolated peak, in dBTP.
        fade_in_s: equal-power fade-in length (shortened for short clips).
        fade_out_s: equal-power fade-out length (shortened for short clips).
        max_gain_db: the most static gain applied.

    Raises:
        ValueError: for more than two channels, non-finite samples or a
            non-positive sample rate.
    """
    x = _stereo(audio)
    hop = hop_length(sample_rate)
    samples = x.shape[1]
    _fade(x, sample_rate, fade_in_s, fade_out_s)
    grid = limiter.LimiterGrid.for_rate(sample_rate, hop)
    # Energies per limiter block serve twice: summed into hops they give the
    # source loudness, and they predict the loudness of each gain tried.
    energy = k_weighted_energy(x, sample_rate, grid.block) if samples >= hop else None
    predictor = _Predictor(energy, hop // grid.block, hop)
    source_lufs = predictor.lufs(1.0) if energy is not None else integrated_loudness(x, sample_rate)
    if math.isinf(source_lufs):
        silence = np.zeros_like(x)
        return MasterResult(silence, -math.inf, -math.inf, gain_db=0.0, silent=True)

    ceiling = 10.0 ** (true_peak_db / 20.0)
    aim = ceiling * 10.0 ** (-_LIMITER_MARGIN_DB / 20.0)
    max_drive = 10.0 ** (max_gain_db / 20.0)
    drive = min(10.0 ** ((target_lufs - source_lufs) / 20.0), max_drive)
    top_drive = min(drive * 10.0 ** (_HEADROOM_DB / 20.0), max_drive)

    # Windows that cannot reach the ceiling even at top_drive are not interpolated.
    peaks = limiter.block_peaks(true_peak_envelope(x, aim / top_drive), grid)
    for _ in range(2):  # a full measurement, and at most one correction after it
        drive, gain = _settle(predictor, peaks, grid, drive, aim, target_lufs, top_drive)
        out = x * (np.float32(drive) * limiter.expand(gain, samples, grid))
        out, peak = _trim(out, ceiling)
        lufs = integrated_loudness(out, sample_rate)
        miss = target_lufs - lufs
        if abs(miss) <= _VERIFY_TOLERANCE_LU or drive >= top_drive or predictor.blind:
            break
        # The prediction was off (the limiter's gain changes move K-weighted
        # energy between blocks): shift its target by the miss and settle again.
        predictor.bias += miss
    return MasterResult(
        audio=out,
        lufs=lufs,
        true_peak_db=_db(peak),
        gain_db=_db(drive),
        limiter_db=max(0.0, -_db(float(gain.min()))),
    )


def trim_to_true_peak(
    audio: ArrayLike, ceiling_db: float = DEFAULT_TRUE_PEAK_DB
) -> tuple[NDArray[np.float32], float]:
    """Lower the whole clip just enough that its true peak is ≤ ``ceiling_db``.

    The last step before encoding (after the watermark), and only ever a cut,
    so an already compliant clip comes back unchanged. Returns the audio and
    its true peak in dBTP.
    """
    x = as_channels(audio)
    out, peak = _trim(x, 10.0 ** (ceiling_db / 20.0))
    return out, _db(peak)


class _Predictor:
    """Predicts the integrated loudness of ``drive * gain * x`` from block energies.

    K-weighting is linear, so a gain that is nearly constant over a block
    scales that block's K-weighted energy by its square; the hops the gate
    reads are sums of whole blocks.
    """

    def __init__(self, energy: NDArray[np.float64] | None, blocks_per_hop: int, hop: int):
        self.energy = energy
        self.blocks_per_hop = blocks_per_hop
        self.hop = hop
        self.bias = 0.0
        """Added to predictions: what the last full measurement said they missed."""

    @property
    def blind(self) -> bool:
        """True for clips under one hop, whose loudness cannot be predicted per block."""
        return self.energy is None

    def lufs(self, drive: float, gain: NDArray[np.float32] | None = None) -> float:
        """Predicted LUFS of the source times ``drive``, limited by ``gain`` per block."""
        if self.energy is None:
            return math.nan
        used = self.energy.shape[0] - self.energy.shape[0] % self.blocks_per_hop
        weighted = self.energy[:used] * drive**2
        if gain is not None:
            # Mean gain over the block: the curve ramps linearly to the next block.
            following = np.append(gain[1:], gain[-1])
            weighted = weighted * ((gain.astype(np.float64) + following) / 2.0)[:used] ** 2
        hops = weighted.reshape(-1, self.blocks_per_hop).sum(axis=1)
        return gated_loudness(hops, self.hop) - self.bias


def _settle(
    predictor: _Predictor,
    peaks: NDArray[np.float32],
    grid: limiter.LimiterGrid,
    drive: float,
    aim: float,
    target_lufs: float,
    top_drive: float,
) -> tuple[float, NDArray[np.float32]]:
    """Find the drive whose limited result is predicted to read ``target_lufs``.

    Each dB of drive gives at most a dB of loudness (the limiter takes some
    back), so stepping by the remaining miss converges from below.
    """
    gain = limiter.gain_curve(peaks, drive, aim, grid)
    for _ in range(_PREDICTION_ROUNDS):
        miss = target_lufs - predictor.lufs(drive, gain)
        if math.isnan(miss) or abs(miss) <= _TOLERANCE_LU:
            break
        stepped = min(drive * 10.0 ** (miss / 20.0), top_drive)
        if stepped == drive:
            break
        drive = stepped
        gain = limiter.gain_curve(peaks, drive, aim, grid)
    return drive, gain


def _trim(x: NDArray[np.float32], ceiling: float) -> tuple[NDArray[np.float32], float]:
    """Scale ``x`` down if its true peak is above ``ceiling``; return it and its peak."""
    peak = true_peak(x)
    if peak <= ceiling:
        return x, peak
    # float32 rounding may land a hair above the ceiling; aim slightly under it.
    factor = np.float32(ceiling / peak * (1.0 - 1e-6))
    return x * factor, peak * float(factor)


def _stereo(audio: ArrayLike) -> NDArray[np.float32]:
    """A writable ``(2, samples)`` float32 copy; mono is duplicated."""
    x = as_channels(audio)
    if x.shape[0] == 1:
        x = np.repeat(x, 2, axis=0)
    elif x.shape[0] != 2:
        raise ValueError(f"mastering takes mono or stereo audio, got {x.shape[0]} channels")
    else:
        x = x.copy()
    if not np.isfinite(x).all():
        raise ValueError("audio contains NaN or infinite samples")
    return x


def _fade(x: NDArray[np.float32], sample_rate: int, fade_in_s: float, fade_out_s: float) -> None:
    """Equal-power (sine/cosine) fades in place; they shrink together to fit short clips."""
    samples = x.shape[1]
    fade_in = max(0, round(fade_in_s * sample_rate))
    fade_out = max(0, round(fade_out_s * sample_rate))
    if fade_in + fade_out > samples:
        scale = samples / (fade_in + fade_out)
        fade_in, fade_out = int(fade_in * scale), int(fade_out * scale)
    if fade_in:
        ramp = np.arange(fade_in, dtype=np.float64) / fade_in
        x[:, :fade_in] *= np.sin(0.5 * np.pi * ramp).astype(np.float32)
    if fade_out:
        ramp = np.arange(1, fade_out + 1, dtype=np.float64) / fade_out
        x[:, samples - fade_out :] *= np.cos(0.5 * np.pi * ramp).astype(np.float32)


def _db(linear: float) -> float:
    return 20.0 * math.log10(linear) if linear > 0 else -math.inf
