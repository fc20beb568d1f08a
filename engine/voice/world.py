"""The ``world`` backend: voice conversion by WORLD analysis, mapping and resynthesis (CPU).

For each stretch of singing (silence is never touched, so it stays silent):
F0 (dio + stonemask, or harvest), the CheapTrick envelope and the D4C
aperiodicity are analysed; the F0 is moved into the target's register and
key (``pitch``); the envelope is warped along frequency so the source's
formants land where the target's long-term envelope has them, then shaped by
a per-voice transform — each envelope coefficient's mean and spread mapped
from the source's to the target's, applied as a smooth filter so the fine
detail of the envelope is kept; the aperiodicity (breathiness) is kept. The
result is synthesized frame-aligned with the input and cut to its exact
length, so it lines up with the instrumental to the sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.signal import medfilt

from engine.voice import analysis
from engine.voice._pyworld import pyworld
from engine.voice.analysis import F64, F0Method
from engine.voice.errors import VoiceError
from engine.voice.pitch import PitchMode, PitchPlan, map_f0, plan
from engine.voice.profile import VoiceProfile

MAX_WARP_OCTAVES = 0.35
"""The widest formant shift searched (×0.78…×1.27): adult singers' vocal tracts differ less."""
_SPREAD_LIMITS = (0.5, 2.0)
_FADE_S = 0.005
_WARP_BAND = (200.0, 5000.0)


@dataclass(frozen=True)
class ConversionReport:
    """What one conversion decided, for logs, tests and the benchmark."""

    pitch: PitchPlan
    warp: float  # formant scale applied (target / source)
    segments: int
    voiced_share: float


@dataclass(frozen=True, eq=False)
class _Segment:
    start: int
    x: F64
    f0: F64


def _clean_voicing(f0: F64) -> F64:
    """Fill 1–2 frame voicing gaps, drop 1–2 frame voiced blips, median-smooth each note.

    Trackers flicker at note edges; left alone, each flicker is a click of noise
    or a chirp in the resynthesis.
    """
    f0 = f0.copy()
    voiced = f0 > 0
    edges = np.flatnonzero(np.diff(np.concatenate(([0], voiced.astype(np.int8), [0]))))
    starts, ends = edges[::2], edges[1::2]
    for a, b in zip(starts, ends, strict=True):
        if b - a < 3:
            f0[a:b] = 0.0
    voiced = f0 > 0
    idx = np.flatnonzero(voiced)
    if idx.size:
        gaps = np.flatnonzero(np.diff(idx) - 1)
        for g in gaps:
            a, b = idx[g], idx[g + 1]
            if b - a <= 3:
                f0[a:b + 1] = np.exp(np.linspace(np.log(f0[a]), np.log(f0[b]), b - a + 1))
    voiced = f0 > 0
    edges = np.flatnonzero(np.diff(np.concatenate(([0], voiced.astype(np.int8), [0]))))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if b - a >= 5:
            f0[a:b] = np.exp(medfilt(np.log(f0[a:b]), 5))
    return f0


def _detrended(curve: F64) -> F64:
    """The curve less its straight-line fit: spectral tilt says nothing about formant positions,
    and a sloped line correlates with itself at every shift."""
    axis = np.arange(curve.size, dtype=np.float64)
    slope, offset = np.polyfit(axis, curve, 1)
    return np.asarray(curve - (slope * axis + offset), dtype=np.float64)


def estimate_warp(source_ltas: F64, target_ltas: F64) -> float:
    """The formant scale (target / source) that best lines up two long-term envelopes."""
    grid = analysis.LTAS_GRID
    step = float(np.log2(grid[1] / grid[0]))
    band = (grid >= _WARP_BAND[0]) & (grid <= _WARP_BAND[1])
    reach = int(MAX_WARP_OCTAVES / step)
    scores = np.full(2 * reach + 1, -np.inf)
    idx = np.flatnonzero(band)
    target = _detrended(target_ltas[band])
    for k in range(-reach, reach + 1):
        a, b = _detrended(source_ltas[np.clip(idx - k, 0, grid.size - 1)]), target
        norm = float(np.linalg.norm(a) * np.linalg.norm(b))
        scores[k + reach] = float(a @ b / norm) if norm > 0 else -np.inf
    best = int(np.argmax(scores))
    if best in (0, scores.size - 1):
        # No optimum inside the range: the envelopes disagree for another reason
        # (most often a high voice, whose widely spaced harmonics hide its
        # formants), so no warp rather than the largest one.
        return 1.0
    shift = float(best - reach)
    if 0 < best < scores.size - 1 and np.isfinite(scores[best - 1 : best + 2]).all():
        left, mid, right = scores[best - 1], scores[best], scores[best + 1]
        curve = left - 2 * mid + right
        if curve < 0:
            shift += 0.5 * (left - right) / curve
    return float(2.0 ** (shift * step))


def warp_envelope(sp: F64, factor: float) -> F64:
    """Move every formant from f to ``factor`` × f (the envelope read at f / factor)."""
    if abs(factor - 1.0) < 1e-6:
        return sp
    bins = sp.shape[1]
    position = np.minimum(np.arange(bins) / factor, bins - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, bins - 1)
    frac = position - low
    return np.asarray(sp[:, low] * (1 - frac) + sp[:, high] * frac, dtype=np.float64)


class WorldConverter:
    """``VoiceConverter`` on the WORLD vocoder; single-threaded, deterministic."""

    name = "world"

    def __init__(self, f0_method: F0Method = "dio", pitch_mode: PitchMode = "melody") -> None:
        self.f0_method: F0Method = f0_method
        self.pitch_mode: PitchMode = pitch_mode

    def convert(
        self,
        vocal_stem: npt.NDArray[np.floating],
        sr: int,
        target: VoiceProfile,
        *,
        key_shift_semitones: float = 0.0,
    ) -> npt.NDArray[np.float32]:
        """The vocal sung by ``target``; same shape as the input, float32."""
        return self.convert_with_report(vocal_stem, sr, target, key_shift_semitones=key_shift_semitones)[0]

    def convert_with_report(
        self,
        vocal_stem: npt.NDArray[np.floating],
        sr: int,
        target: VoiceProfile,
        *,
        key_shift_semitones: float = 0.0,
    ) -> tuple[npt.NDArray[np.float32], ConversionReport]:
        audio = np.asarray(vocal_stem)
        if sr != target.sample_rate:
            raise VoiceError(
                f"the vocal is at {sr} Hz but the voice profile was learnt at {target.sample_rate} Hz"
            )
        if not np.isfinite(audio).all():
            raise VoiceError("the vocal stem contains invalid samples (NaN or infinity)")
        x = analysis.mono(audio)
        pieces = [
            _Segment(a, x[a:b], _clean_voicing(analysis.track_f0(x[a:b], sr, self.f0_method)))
            for a, b in analysis.active_segments(x, sr)
        ]
        out = np.zeros(x.size)
        voiced_all = np.concatenate([p.f0[p.f0 > 0] for p in pieces] or [np.zeros(0)])
        if voiced_all.size:
            logs = np.log(voiced_all)
            src_mean, src_std = float(logs.mean()), float(logs.std())
        else:
            src_mean, src_std = target.f0_log_mean, target.f0_log_std
        chosen = plan(src_mean, target, key_shift_semitones, self.pitch_mode)
        if not pieces:
            report = ConversionReport(chosen, 1.0, 0, 0.0)
            return _channels_like(audio, out, x), report
        low = float(np.percentile(voiced_all, 2)) if voiced_all.size else 150.0
        floor = analysis.f0_floor_for(low)
        envelopes = [analysis.envelope(p.x, sr, p.f0, floor) for p in pieces]
        fft_size = envelopes[0][1]
        # The source's long-term envelope, then the warp that lines it up with the target's.
        weights = np.array([int((p.f0 > 0).sum()) for p in pieces], dtype=np.float64)
        ltas = sum(
            (analysis.long_term_envelope(sp, p.f0 > 0, sr, fft_size) * w
             for (sp, _), p, w in zip(envelopes, pieces, weights, strict=True)),
            np.zeros(analysis.LTAS_GRID.size),
        )
        warp = estimate_warp(ltas / max(weights.sum(), 1.0), target.ltas) if weights.sum() else 1.0
        warped = [warp_envelope(sp, warp) for sp, _ in envelopes]
        coded = [analysis.code(sp, sr) for sp in warped]
        voiced_coded = np.concatenate(
            [c[p.f0 > 0] for c, p in zip(coded, pieces, strict=True)] or [np.zeros((0, analysis.MCEP_DIM))]
        )
        if voiced_coded.shape[0] >= 2:
            src_mu, src_sd = voiced_coded.mean(axis=0), np.maximum(voiced_coded.std(axis=0), 1e-6)
        else:
            src_mu, src_sd = target.mcep_mean, target.mcep_std
        spread = np.clip(target.mcep_std / src_sd, *_SPREAD_LIMITS)
        pw = pyworld()
        for piece, sp, mcep in zip(pieces, warped, coded, strict=True):
            mapped = mcep.copy()
            mapped[:, 1:] = target.mcep_mean[1:] + (mcep[:, 1:] - src_mu[1:]) * spread[1:]
            # WORLD's decoding is exp(linear map of the coefficients), so the ratio of
            # the mapped to the original envelope is the decoding of their difference:
            # a smooth filter that leaves the envelope's fine detail in place.
            shaping = analysis.decode(mapped - mcep, sr, fft_size)
            ap = analysis.aperiodicity(piece.x, sr, piece.f0, fft_size)
            f0 = map_f0(piece.f0, src_mean, src_std, target, chosen)
            y = np.asarray(
                pw.synthesize(f0, np.ascontiguousarray(sp * shaping), ap, sr, analysis.FRAME_MS),
                dtype=np.float64,
            )
            y = _fit(y, piece.x.size)
            source_rms = float(np.sqrt(np.mean(piece.x**2)))
            made_rms = float(np.sqrt(np.mean(y**2)))
            if made_rms > 0:
                y *= source_rms / made_rms
            out[piece.start : piece.start + y.size] += _faded(y, sr)
        report = ConversionReport(
            chosen, warp, len(pieces), float(voiced_all.size / max(sum(p.f0.size for p in pieces), 1))
        )
        return _channels_like(audio, out, x), report


def _fit(y: F64, n: int) -> F64:
    if y.size >= n:
        return y[:n]
    return np.concatenate((y, np.zeros(n - y.size)))


def _faded(y: F64, sr: int) -> F64:
    n = min(int(_FADE_S * sr), y.size // 2)
    if n > 0:
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n))
        y[:n] *= ramp
        y[-n:] *= ramp[::-1]
    return y


def _channels_like(
    audio: npt.NDArray[np.floating], converted: F64, source_mono: F64
) -> npt.NDArray[np.float32]:
    """Give each channel the converted voice at that channel's level (the pan is kept)."""
    if audio.ndim == 1:
        return converted.astype(np.float32)
    mono_rms = float(np.sqrt(np.mean(source_mono**2)))
    gains = [
        float(np.sqrt(np.mean(np.asarray(ch, dtype=np.float64) ** 2))) / mono_rms if mono_rms > 0 else 0.0
        for ch in audio
    ]
    return np.stack([converted * g for g in gains]).astype(np.float32)
