"""Speed changes: how fast the song plays under a style, and doing it cheaply.

Tempo changes are the expensive part of a style, so they happen once, on the
summed bus of the kept stems, never per stem. A tape-style speed change is a
resampling (a linear interpolation here, whose slight high-frequency loss
suits the styles that use it); only a change that must keep the pitch pays
for Rubber Band, on a mono bus at its cheaper settings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pedalboard

from engine.analysis import Analysis
from engine.styles._recipe import TempoMode, TempoSpec

FloatArray = npt.NDArray[np.float32]

_DEFAULT_BPM = 120.0
# Slowing a song into a half-time feel sounds dragged sooner than speeding it up.
_SLOWDOWN_PENALTY = 1.5


@dataclass(frozen=True)
class TempoPlan:
    """How the kept stems are played back, and what generated parts must match.

    ``varispeed`` resamples (tempo and pitch together), then ``stretch`` changes
    the tempo by Rubber Band keeping the pitch, which also applies
    ``semitones``. ``bpm`` is the output tempo of generated parts and
    ``tuning`` their frequency ratio against the song.
    """

    varispeed: float
    stretch: float
    semitones: float
    bpm: float

    @property
    def rate(self) -> float:
        """Source seconds consumed per output second."""
        return self.varispeed * self.stretch

    @property
    def tuning(self) -> float:
        return float(self.varispeed * 2.0 ** (self.semitones / 12.0))

    @property
    def needs_rubberband(self) -> bool:
        return abs(self.stretch - 1.0) > 0.002 or self.semitones != 0.0


def plan_tempo(spec: TempoSpec, analysis: Analysis | None, pitch_semitones: float) -> TempoPlan:
    song_bpm = analysis.tempo_bpm if analysis is not None else _DEFAULT_BPM
    if spec.mode is TempoMode.KEEP:
        return TempoPlan(1.0, 1.0, pitch_semitones, song_bpm)
    if spec.mode is TempoMode.VARISPEED:
        return TempoPlan(spec.factor, 1.0, pitch_semitones, song_bpm * spec.factor)
    assert spec.target_bpm is not None
    low, high = spec.target_bpm
    best: tuple[float, float, float] | None = None
    # The song may sit under the new beat at full or half time; take the
    # relation that needs the gentlest stretch.
    for multiple in (1.0, 2.0, 0.5):
        felt = song_bpm * multiple
        target = min(max(felt, low), high)
        rate = target / felt
        cost = abs(math.log(rate)) * (_SLOWDOWN_PENALTY if rate < 1 else 1.0)
        if best is None or cost < best[0] - 1e-12:
            best = (cost, rate, target)
    assert best is not None
    _, rate, target = best
    if abs(rate - 1.0) <= 0.002:
        rate = 1.0
    return TempoPlan(1.0, rate, pitch_semitones, target)


def source_samples(plan: TempoPlan, out_samples: int) -> int:
    """Source samples consumed to fill ``out_samples`` of output."""
    return math.ceil(out_samples * plan.rate) + 2


def apply_tempo(bus: FloatArray, plan: TempoPlan, sample_rate: int, out_samples: int) -> FloatArray:
    """Play the source bus at the planned speed; exactly ``out_samples`` long."""
    x = bus
    if plan.varispeed != 1.0:
        x = _resample(x, plan.varispeed, math.ceil(out_samples * plan.stretch) + 2)
    if plan.needs_rubberband:
        # Mid only: the stretch is the costliest step of any style, and the
        # generated parts around it bring back the width.
        mid = x.mean(axis=0, keepdims=True).astype(np.float32)
        y = pedalboard.time_stretch(
            mid,
            float(sample_rate),
            stretch_factor=float(plan.stretch),
            pitch_shift_in_semitones=float(plan.semitones),
            high_quality=False,
            use_long_fft_window=False,
        )
        x = np.repeat(np.asarray(y, dtype=np.float32), 2, axis=0)
    return _fit(x, out_samples)


def _resample(x: FloatArray, rate: float, out_samples: int) -> FloatArray:
    positions = np.arange(out_samples, dtype=np.float64) * rate
    grid = np.arange(x.shape[1], dtype=np.float64)
    out = np.empty((x.shape[0], out_samples), dtype=np.float32)
    for c in range(x.shape[0]):
        out[c] = np.interp(positions, grid, x[c], right=0.0)
    return out


def _fit(x: FloatArray, n: int) -> FloatArray:
    if x.shape[1] >= n:
        return x[:, :n]
    return np.pad(x, ((0, 0), (0, n - x.shape[1])))
