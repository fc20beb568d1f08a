"""Parts that trace the singer: a pitch tracker and the chiptune lead built on it.

The tracker is a compact YIN (difference function from an FFT
autocorrelation, cumulative-mean normalisation, first dip under a threshold)
at 11 kHz, which is plenty for a voice and costs a few milliseconds for 30 s.
The lead snaps the tracked pitch to semitones, as a sound chip would.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.fft as sfft
from scipy.ndimage import median_filter, uniform_filter1d

from engine.styles import _voices as v
from engine.styles._take import Take
from engine.transcription import Note

FloatArray = npt.NDArray[np.float32]

_DECIMATE = 4
_FRAME = 512
_HOP = 128
_FMIN, _FMAX = 70.0, 1000.0
_THRESHOLD = 0.2
_RESTRIKE_S = 0.03


def pitch_track(x: FloatArray, sample_rate: int) -> tuple[FloatArray, float]:
    """F0 in Hz per hop (0 where unvoiced or silent) and the hop in seconds."""
    usable = x[: x.shape[0] // _DECIMATE * _DECIMATE]
    y = usable.reshape(-1, _DECIMATE).mean(axis=1).astype(np.float32)
    sr = sample_rate / _DECIMATE
    hop_s = _HOP / sr
    if y.shape[0] < _FRAME:
        return np.zeros(0, dtype=np.float32), hop_s
    frames = np.lib.stride_tricks.sliding_window_view(y, _FRAME)[::_HOP]
    frames = frames - frames.mean(axis=1, keepdims=True)
    spec = sfft.rfft(frames, 2 * _FRAME, axis=1)
    acf = sfft.irfft(np.abs(spec) ** 2, axis=1)[:, : _FRAME // 2]
    max_lag = int(sr / _FMIN)
    min_lag = int(sr / _FMAX)
    diff = 2.0 * (acf[:, :1] - acf[:, : max_lag + 1])
    cum = np.cumsum(diff[:, 1:], axis=1)
    lags = np.arange(1, max_lag + 1)
    cmnd = np.ones_like(diff)
    cmnd[:, 1:] = diff[:, 1:] * lags / np.maximum(cum, 1e-12)
    cmnd[:, :min_lag] = 1.0
    below = cmnd < _THRESHOLD
    # First dip under the threshold, then walk to its local minimum.
    first = np.where(below.any(axis=1), below.argmax(axis=1), 0)
    f0 = np.zeros(frames.shape[0], dtype=np.float32)
    energy = acf[:, 0]
    loud = (
        energy > 1e-3 * float(energy.max())
        if energy.size and float(energy.max()) > 0
        else energy > 0
    )
    for i in np.nonzero((first > 0) & loud)[0]:
        lag = int(first[i])
        while lag + 1 <= max_lag and cmnd[i, lag + 1] < cmnd[i, lag]:
            lag += 1
        # Parabolic interpolation: at 11 kHz an integer lag is a quarter-tone off at 1 kHz.
        a, b, c = cmnd[i, lag - 1], cmnd[i, lag], cmnd[i, min(lag + 1, max_lag)]
        denom = a - 2.0 * b + c
        shift = 0.5 * (a - c) / denom if denom > 1e-12 else 0.0
        f0[i] = sr / (lag + float(np.clip(shift, -0.5, 0.5)))
    return f0, hop_s


def square_lead(take: Take) -> FloatArray:
    """A 50 % square that sings the melody: the score's notes, else the followed stem's pitch."""
    if take.melody is not None:
        return _score_lead(take, take.melody)
    tl, sr = take.timeline, take.sample_rate
    if take.follow is None or take.follow.size == 0:
        return take.silence()
    f0, hop_s = pitch_track(take.follow, sr)
    if f0.size == 0 or not np.any(f0 > 0):
        return take.silence()
    voiced = f0 > 0
    midi = np.zeros_like(f0)
    midi[voiced] = np.rint(69.0 + 12.0 * np.log2(f0[voiced] / 440.0))
    midi = median_filter(midi, size=5, mode="nearest")
    voiced = median_filter(voiced.astype(np.float32), size=5, mode="nearest") > 0.5
    octave = int(take.num("octave_shift", 0))
    hz = np.where(voiced, 440.0 * 2.0 ** ((midi + 12 * octave - 69.0) / 12.0) * tl.tuning, 0.0)
    # Hop k is centred at source time k * hop_s + half a frame; output sample i
    # plays source time i * rate / sr.
    centre0 = (_FRAME * _DECIMATE / 2) / sr
    src_t = np.arange(tl.n, dtype=np.float64) * (tl.rate / sr)
    idx = np.clip(np.rint((src_t - centre0) / hop_s).astype(np.intp), 0, hz.shape[0] - 1)
    freq = hz[idx]
    gate = uniform_filter1d((freq > 0).astype(np.float32), size=max(1, int(0.005 * sr)))
    phase = np.cumsum(freq / sr) % 1.0
    duty = take.num("duty", 0.5)
    wave = np.where(phase < duty, 1.0, -1.0).astype(np.float32)
    return v.ramp_edges((wave * gate * 0.5).astype(np.float32), sr, 0.0, 0.0)


def _score_lead(take: Take, melody: tuple[Note, ...]) -> FloatArray:
    """The transcribed melody as square-wave notes in the window's time and tuning."""
    tl, sr = take.timeline, take.sample_rate
    octave = int(take.num("octave_shift", 0))
    duty = take.num("duty", 0.5)
    out = take.silence()
    onsets = [n.start for n in melody]
    for k, note in enumerate(melody):
        # A repeated note is struck again, as a chip's volume envelope does: each
        # note stops 30 ms before the next one starts and fades a little as it holds.
        later = [t for t in onsets[k + 1 :] if t > note.start + 0.05]
        stop = min(note.end, later[0] - _RESTRIKE_S) if later else note.end
        start = (note.start - tl.src_start) / tl.rate
        end = (stop - tl.src_start) / tl.rate
        if end <= 0.0 or start >= tl.seconds:
            continue
        lo, hi = max(0, round(start * sr)), min(tl.n, round(end * sr))
        if hi <= lo:
            continue
        hz = tl.hz(note.midi + 12 * octave)
        phase = (hz * np.arange(round(start * sr), round(end * sr)) / sr) % 1.0
        wave = np.where(phase < duty, 0.5, -0.5).astype(np.float32)
        wave *= np.linspace(1.0, 0.7, wave.shape[0], dtype=np.float32)
        wave = v.ramp_edges(wave, sr, 0.003, 0.015)
        offset = lo - round(start * sr)
        out[lo:hi] += wave[offset : offset + hi - lo]
    return out
