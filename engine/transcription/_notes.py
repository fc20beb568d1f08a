"""Transcribed notes: what a neural transcriber heard, as plain frozen values."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Note:
    """One transcribed note: onset and offset (s), MIDI pitch, amplitude, pitch bends.

    ``bends`` are the model's per-frame pitch deviations in thirds of a
    semitone (Basic Pitch's contour resolution), empty when none were asked for.
    """

    start: float
    end: float
    midi: int
    amplitude: float
    bends: tuple[int, ...] = ()

    @property
    def pitch(self) -> float:
        """MIDI pitch with the note's median bend: a detuned singer is heard between semitones."""
        if not self.bends:
            return float(self.midi)
        return self.midi + float(statistics.median(self.bends)) / 3.0

    def to_list(self) -> list[object]:
        return [round(self.start, 4), round(self.end, 4), self.midi, round(self.amplitude, 4),
                list(self.bends)]

    @classmethod
    def from_list(cls, data: list[object]) -> Note:
        start, end, midi, amplitude, bends = data
        assert isinstance(bends, list)
        return cls(float(str(start)), float(str(end)), int(str(midi)), float(str(amplitude)),
                   tuple(int(b) for b in bends))
