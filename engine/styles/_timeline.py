"""The grid generated parts play on: bars, steps and chords in output time.

Generators work in the rendered window's own time (sample 0 = the start of
the pre-roll) at the output tempo, and ask the song's analysis for chords by
mapping back to the song's time. That mapping is what keeps a generated bass
line on the right chord after a varispeed or a stretch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.analysis import Analysis, Chord

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Steps:
    """A grid of steps over the window: time (s), step within its bar, bar number."""

    times: npt.NDArray[np.float64]
    step: IntArray
    bar: IntArray


@dataclass(frozen=True)
class Timeline:
    sample_rate: int
    n: int
    bpm: float
    first_bar: float
    """Output time (s, window-relative) of a bar start at or before 0."""
    tuning: float
    src_start: float
    rate: float
    analysis: Analysis

    @property
    def beat_s(self) -> float:
        return 60.0 / self.bpm

    @property
    def bar_s(self) -> float:
        return 4.0 * self.beat_s

    @property
    def seconds(self) -> float:
        return self.n / self.sample_rate

    @property
    def bar_count(self) -> int:
        return math.ceil((self.seconds - self.first_bar) / self.bar_s)

    def steps(self, per_bar: int, bars_per_cycle: int = 1) -> Steps:
        """Every step of a ``per_bar`` grid, numbered within cycles of bars."""
        count = self.bar_count * per_bar
        idx = np.arange(count)
        times = (self.first_bar + idx * (self.bar_s / per_bar)).astype(np.float64)
        bar = idx // per_bar
        step = idx % (per_bar * bars_per_cycle)
        return Steps(times, step.astype(np.intp), bar.astype(np.intp))

    def bar_starts(self) -> npt.NDArray[np.float64]:
        return (self.first_bar + self.bar_s * np.arange(self.bar_count)).astype(np.float64)

    def chord_at(self, t: float) -> Chord:
        """The song's chord under output time ``t`` (window-relative seconds)."""
        return self.analysis.chord_at(self.src_start + t * self.rate)

    def bar_chords(self) -> list[Chord]:
        """One chord per output bar, read a little after the bar line."""
        return [self.chord_at(t + 0.1 * self.bar_s) for t in self.bar_starts()]

    def hz(self, midi: float) -> float:
        return float(440.0 * 2.0 ** ((midi - 69.0) / 12.0) * self.tuning)


def build_timeline(
    analysis: Analysis,
    *,
    sample_rate: int,
    n: int,
    src_start: float,
    rate: float,
    bpm: float,
    tuning: float,
) -> Timeline:
    """Place the output grid so its bar lines fall on the song's (mapped) bar lines."""
    song_bar = analysis.bar_starts[0]
    out_bar_s = 240.0 / bpm
    anchor = (song_bar - src_start) / rate
    first = anchor - out_bar_s * math.ceil(anchor / out_bar_s)
    if first > 1e-9:
        first -= out_bar_s
    return Timeline(sample_rate, n, bpm, first, tuning, src_start, rate, analysis)
