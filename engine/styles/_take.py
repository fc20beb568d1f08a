"""What a generator gets to work with, and the registry type it is listed under."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.styles._recipe import Param
from engine.styles._timeline import Timeline
from engine.transcription import Note

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Take:
    """Inputs of one generated part.

    ``follow`` is the mono source-time window (from the window's start) of a
    stem the part follows, e.g. the vocals a chiptune lead traces; ``None``
    when the part follows nothing. ``melody`` is the song's transcribed
    melody (song time) when a score is at hand: a lead plays it rather than
    tracing ``follow``.
    """

    timeline: Timeline
    params: Mapping[str, Param]
    rng: np.random.Generator
    follow: FloatArray | None = None
    melody: tuple[Note, ...] | None = None

    @property
    def sample_rate(self) -> int:
        return self.timeline.sample_rate

    @property
    def n(self) -> int:
        return self.timeline.n

    def num(self, name: str, default: float) -> float:
        value = self.params.get(name, default)
        if isinstance(value, str):
            raise TypeError(f"parameter {name!r} must be a number")
        return float(value)

    def text(self, name: str, default: str) -> str:
        return str(self.params.get(name, default))

    def silence(self) -> FloatArray:
        return np.zeros(self.n, dtype=np.float32)


Generator = Callable[[Take], FloatArray]
"""Makes one part: mono ``(n,)`` (panned by the renderer) or stereo ``(2, n)``."""
