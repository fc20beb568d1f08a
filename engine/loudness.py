"""ITU-R BS.1770-4 loudness and true peak: the meter every clip is mastered by.

Mastering aims at −14 LUFS integrated and −1 dBTP, and the tests, the
benchmarks and ``refrain trace`` all read clips back with this same meter, so
it has to agree with the standard, not merely with itself:

- K-weighting is the standard's two biquads (a high shelf, then the "RLB"
  high-pass), derived from their analog prototypes so that 44.1 kHz renders
  are weighted exactly like the 48 kHz table in the standard.
- Integrated loudness gates 400 ms blocks overlapping by 75 % (that is, four
  100 ms hops each), absolutely at −70 LUFS, then relatively at −10 LU.
- True peak interpolates 4× with the 48-tap filter published in Annex 2.

Audio is ``(channels, samples)``; a 1-D array is mono. Left and right weigh
1.0; surround weights are not needed by Refrain (it renders stereo), so every
channel weighs 1.0.

Everything is vectorised: 30 s of stereo at 44.1 kHz measures in about 15 ms
on one core. Two channels are K-weighted in one pass as the real and imaginary
parts of one complex signal: the filter's coefficients are real, so it
filters both at once and ``|y|²`` is already the sum of the channels' powers.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.signal
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, NDArray

ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
BLOCK_HOPS = 4
"""A gating block is 400 ms: four 100 ms hops, hence the standard's 75 % overlap."""

_HOP_S = 0.1
_LOUDNESS_OFFSET = -0.691
"""Cancels the K-filter's gain at 997 Hz so a full-scale sine on one channel reads −3.01 LUFS."""

# Analog prototypes of the two K-weighting stages (the form libebur128 and
# most meters use): they reproduce the standard's 48 kHz coefficients and
# extend them to any sample rate.
_SHELF_F0 = 1681.974450955533
_SHELF_GAIN_DB = 3.999843853973347
_SHELF_Q = 0.7071752369554196
_SHELF_VB_EXPONENT = 0.4996667741545416
_HIGHPASS_F0 = 38.13547087602444
_HIGHPASS_Q = 0.5003270373238773

# BS.1770-4 Annex 2, the published 4-phase, 12-taps-per-phase interpolator.
# Row p gives y_p[m] = sum_k h_p[k] * x[m - k], the point p/4 of a sample
# period after x[m - 6].
_TRUE_PEAK_PHASES = np.array(
    [
        [
            0.0017089843750, 0.0109863281250, -0.0196533203125, 0.0332031250000,
            -0.0594482421875, 0.1373291015625, 0.9721679687500, -0.1022949218750,
            0.0476074218750, -0.0266113281250, 0.0148925781250, -0.0083007812500,
        ],
        [
            -0.0291748046875, 0.0292968750000, -0.0517578125000, 0.0891113281250,
            -0.1665039062500, 0.4650878906250, 0.7797851562500, -0.2003173828125,
            0.1015625000000, -0.0582275390625, 0.0330810546875, -0.0189208984375,
        ],
        [
            -0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625000000,
            -0.2003173828125, 0.7797851562500, 0.4650878906250, -0.1665039062500,
            0.0891113281250, -0.0517578125000, 0.0292968750000, -0.0291748046875,
        ],
        [
            -0.0083007812500, 0.0148925781250, -0.0266113281250, 0.0476074218750,
            -0.1022949218750, 0.9721679687500, 0.1373291015625, -0.0594482421875,
            0.0332031250000, -0.0196533203125, 0.0109863281250, 0.0017089843750,
        ],
    ]
)  # fmt: skip
_TAPS = _TRUE_PEAK_PHASES.shape[1]
_TRUE_PEAK_DELAY = 6
"""Output m of the interpolator describes the time just after input sample m − 6."""
_TRUE_PEAK_KERNEL = np.ascontiguousarray(_TRUE_PEAK_PHASES[:, ::-1], dtype=np.float32)
"""(phases, taps): this times a column of inputs, oldest first, gives the four phases."""
_TRUE_PEAK_GAIN_BOUND = float(np.abs(_TRUE_PEAK_PHASES).sum(axis=1).max())
"""No interpolated value exceeds the largest input in its window by more than this factor."""
_CHUNK = 16384
"""Windows per matrix product: large enough for BLAS, small enough for the cache."""
_FILTER_CHUNK = 1 << 17
"""Samples K-weighted per call: 2 MiB of complex128, which stays in cache."""
_GATHER_SHARE = 0.25
"""Above this share of candidate positions, interpolating everything is cheaper."""


def as_channels(audio: ArrayLike) -> NDArray[np.float32]:
    """Return audio as a ``(channels, samples)`` float32 array (a view when possible).

    Raises:
        ValueError: for arrays of more than two dimensions.
    """
    array = np.asarray(audio, dtype=np.float32)
    if array.ndim == 1:
        return array[np.newaxis, :]
    if array.ndim != 2:
        raise ValueError(f"audio must be (channels, samples), got shape {array.shape}")
    return array


def hop_length(sample_rate: int) -> int:
    """Samples in one 100 ms hop, the unit from which gating blocks are built."""
    if sample_rate <= 0:
        raise ValueError(f"sample rate must be positive, got {sample_rate}")
    return max(1, round(sample_rate * _HOP_S))


def k_weighting_sos(sample_rate: int) -> NDArray[np.float64]:
    """The two K-weighting stages as second-order sections for ``scipy.signal.sosfilt``."""
    if sample_rate <= 0:
        raise ValueError(f"sample rate must be positive, got {sample_rate}")
    k = math.tan(math.pi * _SHELF_F0 / sample_rate)
    vh = 10.0 ** (_SHELF_GAIN_DB / 20.0)
    vb = vh**_SHELF_VB_EXPONENT
    a0 = 1.0 + k / _SHELF_Q + k * k
    shelf = [
        (vh + vb * k / _SHELF_Q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / _SHELF_Q + k * k) / a0,
        1.0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / _SHELF_Q + k * k) / a0,
    ]
    k = math.tan(math.pi * _HIGHPASS_F0 / sample_rate)
    a0 = 1.0 + k / _HIGHPASS_Q + k * k
    highpass = [
        1.0,
        -2.0,
        1.0,
        1.0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / _HIGHPASS_Q + k * k) / a0,
    ]
    return np.array([shelf, highpass], dtype=np.float64)


def k_weighted_energy(audio: ArrayLike, sample_rate: int, segment: int) -> NDArray[np.float64]:
    """K-weighted energy, summed over channels (each weighing 1.0), per segment of samples.

    One value per complete ``segment`` of samples (a trailing partial one is
    dropped). Mastering keeps these for short segments to predict how its gain
    changes move the loudness without filtering again. The signal is filtered
    in cache-sized chunks, which is faster than one pass over the whole clip.
    """
    if segment <= 0:
        raise ValueError(f"segment must be positive, got {segment}")
    x = as_channels(audio)
    sos = k_weighting_sos(sample_rate)
    segments = x.shape[1] // segment
    energy = np.zeros(segments, dtype=np.float64)
    chunk = max(1, _FILTER_CHUNK // segment) * segment
    used = segments * segment
    for first in range(0, x.shape[0], 2):
        pair = x[first : first + 2]
        state = np.zeros((sos.shape[0], 2), dtype=np.complex128)
        buffer = np.zeros(min(chunk, used), dtype=np.complex128)
        for start in range(0, used, chunk):
            stop = min(start + chunk, used)
            z = buffer[: stop - start]
            z.real = pair[0, start:stop]
            # A lone channel rides in the real part; the imaginary part stays 0.
            if pair.shape[0] == 2:
                z.imag = pair[1, start:stop]
            y, state = scipy.signal.sosfilt(sos, z, zi=state)
            parts = y.view(np.float64).reshape(-1, 2 * segment)
            energy[start // segment : stop // segment] += np.einsum("ij,ij->i", parts, parts)
    return energy


def gated_loudness(hop_sums: NDArray[np.float64], hop: int) -> float:
    """Integrated loudness (LUFS) from per-hop energy sums, with both gates.

    Returns ``-inf`` when no block passes the absolute gate (silence).
    Fewer than four hops form one short block, so that a clip under 400 ms
    still gets a reading instead of none.
    """
    if hop_sums.shape[0] == 0:
        return -math.inf
    if hop_sums.shape[0] < BLOCK_HOPS:
        blocks = np.array([hop_sums.sum() / (hop_sums.shape[0] * hop)])
    else:
        cumulative = np.concatenate(([0.0], np.cumsum(hop_sums)))
        blocks = (cumulative[BLOCK_HOPS:] - cumulative[:-BLOCK_HOPS]) / (BLOCK_HOPS * hop)
    with np.errstate(divide="ignore"):
        block_lufs = _LOUDNESS_OFFSET + 10.0 * np.log10(blocks)
    above_absolute = blocks[block_lufs > ABSOLUTE_GATE_LUFS]
    if above_absolute.shape[0] == 0:
        return -math.inf
    relative_gate = _to_lufs(float(above_absolute.mean())) + RELATIVE_GATE_LU
    gated = blocks[(block_lufs > ABSOLUTE_GATE_LUFS) & (block_lufs > relative_gate)]
    return _to_lufs(float(gated.mean()))


def integrated_loudness(audio: ArrayLike, sample_rate: int) -> float:
    """Integrated loudness in LUFS; ``-inf`` for silence (nothing above −70 LUFS)."""
    x = as_channels(audio)
    samples = x.shape[1]
    if samples == 0:
        return -math.inf
    # Shorter than a hop: one segment over what there is.
    hop = min(hop_length(sample_rate), samples)
    return gated_loudness(k_weighted_energy(x, sample_rate, hop), hop)


def true_peak(audio: ArrayLike) -> float:
    """Largest absolute value of the 4× interpolated signal (linear, 1.0 = full scale).

    Only windows that hold a sample loud enough to beat the best value found
    so far are interpolated; the interpolator's gain bound makes skipping the
    rest exact, and typical music skips most of it.
    """
    x = as_channels(audio)
    if x.size == 0:
        return 0.0
    magnitudes = np.abs(x)
    channel, sample = np.unravel_index(int(np.argmax(magnitudes)), x.shape)
    if magnitudes[channel, sample] == 0.0:
        return 0.0
    near_loudest = np.arange(sample, sample + _TAPS)
    best = float(_interpolate_at(x[channel], near_loudest).max())
    floor = best / _TRUE_PEAK_GAIN_BOUND
    for row in x:
        peaks = _phase_peaks(row, floor)
        best = max(best, float(peaks.max()))
    return best


def true_peak_db(audio: ArrayLike) -> float:
    """True peak in dBTP; ``-inf`` for digital silence."""
    return _to_db(true_peak(audio))


def sample_peak_db(audio: ArrayLike) -> float:
    """Largest absolute sample in dBFS; ``-inf`` for digital silence."""
    x = as_channels(audio)
    return _to_db(float(np.abs(x).max()) if x.size else 0.0)


def true_peak_envelope(audio: ArrayLike, floor: float) -> NDArray[np.float32]:
    """Per-sample true peak, the loudest channel's, for a limiter to act on.

    Entry ``k`` is the largest interpolated magnitude between samples ``k``
    and ``k + 1``. It is exact wherever it may exceed ``floor``; entries that
    provably cannot are 0, which is what keeps a limiter cheap on music that
    seldom comes near its ceiling.
    """
    x = as_channels(audio)
    samples = x.shape[1]
    envelope = np.zeros(samples, dtype=np.float32)
    if samples == 0:
        return envelope
    for row in x:
        peaks = _phase_peaks(row, floor)
        # Outputs before the first sample and after the last belong to the edges.
        np.maximum(envelope, peaks[_TRUE_PEAK_DELAY : _TRUE_PEAK_DELAY + samples], out=envelope)
        envelope[0] = max(envelope[0], float(peaks[:_TRUE_PEAK_DELAY].max()))
        tail = peaks[_TRUE_PEAK_DELAY + samples :]
        if tail.shape[0]:
            envelope[-1] = max(envelope[-1], float(tail.max()))
    return envelope


def _phase_peaks(row: NDArray[np.float32], floor: float) -> NDArray[np.float32]:
    """Max over the four phases of |interpolated| for each output of the full convolution.

    Outputs whose window holds no sample above ``floor / gain bound`` cannot
    exceed ``floor`` and are left at 0.
    """
    outputs = row.shape[0] + _TAPS - 1
    loud = np.abs(row) > floor / _TRUE_PEAK_GAIN_BOUND
    count = int(np.count_nonzero(loud))
    peaks = np.zeros(outputs, dtype=np.float32)
    if count == 0:
        return peaks
    if count * _TAPS > _GATHER_SHARE * outputs:
        windows = _windows(row)
        for start in range(0, outputs, _CHUNK):
            # (phases, chunk) rows: an elementwise max of four rows is fast,
            # a max along short rows is not.
            values = _TRUE_PEAK_KERNEL @ windows[start : start + _CHUNK].T
            np.abs(values, out=values)
            out = peaks[start : start + _CHUNK]
            np.maximum(values[0], values[1], out=out)
            np.maximum(out, values[2], out=out)
            np.maximum(out, values[3], out=out)
        return peaks
    loud_at = np.flatnonzero(loud)
    touched = np.zeros(outputs, dtype=bool)
    for offset in range(_TAPS):
        touched[loud_at + offset] = True
    positions = np.flatnonzero(touched)
    peaks[positions] = _interpolate_at(row, positions)
    return peaks


def _interpolate_at(row: NDArray[np.float32], positions: NDArray[np.intp]) -> NDArray[np.float32]:
    """Max over phases of |interpolated| at the given outputs of the full convolution."""
    positions = positions[positions < row.shape[0] + _TAPS - 1]
    values = _TRUE_PEAK_KERNEL @ _windows(row)[positions].T
    peaks: NDArray[np.float32] = np.abs(values).max(axis=0)
    return peaks


def _windows(row: NDArray[np.float32]) -> NDArray[np.float32]:
    """Row ``m`` is the interpolator's input window for output ``m``, oldest sample first."""
    padded = np.zeros(row.shape[0] + 2 * (_TAPS - 1), dtype=np.float32)
    padded[_TAPS - 1 : _TAPS - 1 + row.shape[0]] = row
    return sliding_window_view(padded, _TAPS)


def _to_lufs(mean_power: float) -> float:
    return _LOUDNESS_OFFSET + 10.0 * math.log10(mean_power) if mean_power > 0 else -math.inf


def _to_db(linear: float) -> float:
    return 20.0 * math.log10(linear) if linear > 0 else -math.inf
