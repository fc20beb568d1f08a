"""Which notes the converted voice sings: the source melody moved into the target's register.

Two mappings. ``melody`` (the default, for songs) transposes by the requested
key shift plus whole octaves chosen so the line sits where the target voice
sings — intervals are kept, so the tune stays the tune. ``statistics`` is the
classic speech mapping (log-F0 mean and variance matched to the target), which
bends intervals and so suits speech and melismatic material only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from engine.voice.analysis import F0_CEIL, F64
from engine.voice.profile import VoiceProfile

PitchMode = Literal["melody", "statistics"]
_LN_SEMITONE = np.log(2.0) / 12.0


@dataclass(frozen=True)
class PitchPlan:
    """The transposition chosen for one conversion (reported, and used in the tests)."""

    key_shift: float  # semitones asked for
    octave_shift: int  # whole octaves added to reach the target's register
    mode: PitchMode

    @property
    def semitones(self) -> float:
        return self.key_shift + 12 * self.octave_shift


def plan(source_log_mean: float, profile: VoiceProfile, key_shift: float, mode: PitchMode) -> PitchPlan:
    """Octaves that bring the source's mean (after the key shift) nearest the target's."""
    distance = (profile.f0_log_mean - source_log_mean) / _LN_SEMITONE - key_shift
    return PitchPlan(key_shift, int(np.round(distance / 12.0)), mode)


def map_f0(f0: F64, source_log_mean: float, source_log_std: float, profile: VoiceProfile,
           chosen: PitchPlan) -> F64:
    """The converted F0 contour (unvoiced frames stay 0)."""
    voiced = f0 > 0
    out = np.zeros_like(f0)
    logs = np.log(f0[voiced])
    if chosen.mode == "statistics":
        spread = profile.f0_log_std / source_log_std if source_log_std > 1e-6 else 1.0
        mapped = profile.f0_log_mean + (logs - source_log_mean) * spread
        mapped += chosen.key_shift * _LN_SEMITONE
    else:
        mapped = logs + chosen.semitones * _LN_SEMITONE
    out[voiced] = np.minimum(np.exp(mapped), F0_CEIL)
    return out
