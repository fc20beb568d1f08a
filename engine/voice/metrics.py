"""How well a conversion worked: whose voice it sounds like, and whether it sings in tune.

Speaker similarity uses a deliberately simple embedding — the mean and the
standard deviation of MFCCs 1–19 over the sung frames, compared by cosine —
because no speaker-verification weights can be downloaded here. It mostly
hears the vocal tract (formant positions, spectral tilt), which is what
the WORLD converter changes, so it is a fair check of that converter; it is
not a biometric.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.fft import dct, rfft

from engine.voice.analysis import F64, mono, track_f0

N_FFT = 2048
HOP = 512
N_MELS = 40
N_MFCC = 20


def _mel(hz: F64 | float) -> F64:
    return np.asarray(2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0), dtype=np.float64)


def _mel_filterbank(sr: int) -> F64:
    edges_mel = np.linspace(_mel(80.0), _mel(min(8000.0, sr / 2)), N_MELS + 2)
    edges = 700.0 * (10 ** (edges_mel / 2595.0) - 1.0)
    bins = np.arange(N_FFT // 2 + 1) * sr / N_FFT
    bank = np.zeros((N_MELS, bins.size))
    for m in range(N_MELS):
        lo, mid, hi = edges[m], edges[m + 1], edges[m + 2]
        rise = (bins - lo) / (mid - lo)
        fall = (hi - bins) / (hi - mid)
        bank[m] = np.clip(np.minimum(rise, fall), 0.0, None)
    return bank


def mfcc(audio: npt.NDArray[np.floating], sr: int) -> F64:
    """MFCCs (frames × 20) of the frames within 40 dB of the loudest one."""
    x = mono(audio)
    if x.size < N_FFT:
        return np.zeros((0, N_MFCC))
    frames = np.lib.stride_tricks.sliding_window_view(x, N_FFT)[::HOP] * np.hanning(N_FFT)
    power = np.abs(rfft(frames, axis=1)) ** 2
    energy = power.sum(axis=1)
    if energy.max() <= 0:
        return np.zeros((0, N_MFCC))
    live = energy > energy.max() * 1e-4
    mel = np.log(np.maximum(power[live] @ _mel_filterbank(sr).T, 1e-12))
    return np.asarray(dct(mel, type=2, norm="ortho", axis=1)[:, :N_MFCC], dtype=np.float64)


def embedding(audios: Sequence[npt.NDArray[np.floating]], sr: int) -> F64:
    """The speaker embedding: mean and std of MFCC 1–19 over all sung frames."""
    coefs = np.concatenate([mfcc(a, sr) for a in audios] or [np.zeros((0, N_MFCC))])
    if coefs.shape[0] == 0:
        return np.zeros(2 * (N_MFCC - 1))
    body = coefs[:, 1:]
    return np.asarray(np.concatenate((body.mean(axis=0), body.std(axis=0))), dtype=np.float64)


def similarity(a: F64, b: F64) -> float:
    """Cosine similarity of two embeddings (1 = same direction; 0 for an empty one)."""
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / norm) if norm > 0 else 0.0


def f0_error_cents(
    audio: npt.NDArray[np.floating], sr: int, intended_hz: F64, *, frame_s: float = 0.005
) -> float:
    """Median absolute pitch error in cents against the intended F0 (0 = unvoiced, skipped).

    ``intended_hz`` has one value per ``frame_s`` from the start of ``audio``;
    frames voiced in both are compared. Harvest is used here, not dio: the
    check must not share the converter's own tracker's mistakes.
    """
    from engine.voice._pyworld import pyworld

    x = mono(audio)
    pw = pyworld()
    f0, _t = pw.harvest(x, sr, f0_floor=60.0, f0_ceil=1200.0, frame_period=frame_s * 1000)
    n = min(f0.size, intended_hz.size)
    both = (f0[:n] > 0) & (intended_hz[:n] > 0)
    if not both.any():
        return float("nan")
    cents = 1200.0 * np.abs(np.log2(f0[:n][both] / intended_hz[:n][both]))
    return float(np.median(cents))


def note_pitches(audio: npt.NDArray[np.floating], sr: int, spans: Sequence[tuple[float, float]]) -> F64:
    """The median F0 (Hz) over the middle half of each (start_s, seconds) span; 0 if unvoiced."""
    x = mono(audio)
    f0 = track_f0(x, sr, "harvest")
    out = np.zeros(len(spans))
    for i, (start, seconds) in enumerate(spans):
        a, b = int((start + seconds * 0.25) / 0.005), int((start + seconds * 0.75) / 0.005)
        voiced = f0[a:b][f0[a:b] > 0]
        out[i] = float(np.median(voiced)) if voiced.size else 0.0
    return out
