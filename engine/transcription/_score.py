"""A song's score: its melody, bass line and harmony as transcribed notes.

Styles play the song's own notes instead of guessing them from a spectrum:
the lead plays ``melody``, bass lines follow ``bass``, and the chords every
pad, arpeggio and strum voices come from ``harmony`` and ``bass`` together,
one per bar of the analysis' grid (``chords``). A score is computed once per
set of stems and cached beside them like the analysis, keyed by
``SCORE_VERSION`` (which names the model).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.analysis import Analysis, Chord, Key, triads
from engine.transcription._basic_pitch import MODEL_VERSION, transcribe
from engine.transcription._notes import Note

SCORE_VERSION = f"2-{MODEL_VERSION}"
"""Bump the leading number when how a score is made changes; the model is named after it."""

_BASS_MAX_HZ = 330.0  # E4: nothing a bass line plays sits above it
_MELODY_HZ = (150.0, 1400.0)
_MIX_SPLIT_MIDI = 55  # G3: on a plain mix, notes below it are the bass


@dataclass(frozen=True)
class Score:
    melody: tuple[Note, ...]
    bass: tuple[Note, ...]
    harmony: tuple[Note, ...]
    version: str = SCORE_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            **{part: [n.to_list() for n in getattr(self, part)]
               for part in ("melody", "bass", "harmony")},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Score:
        def notes(part: str) -> tuple[Note, ...]:
            return tuple(Note.from_list(list(n)) for n in data[part])

        return cls(notes("melody"), notes("bass"), notes("harmony"), str(data["version"]))

    def chords(self, analysis: Analysis) -> tuple[Chord, ...]:
        """One triad per bar of ``analysis``: the harmony's and bass notes' pitch classes.

        Each note adds its amplitude × the seconds it sounds inside the bar to
        its pitch class; the bass notes are also the root evidence. A bar with
        no notes keeps the analysis' chord.
        """
        return tuple(
            chord if chord is not None else fallback
            for chord, fallback in zip(self.heard_chords(analysis), analysis.chords, strict=True)
        )

    def heard_chords(self, analysis: Analysis) -> tuple[Chord | None, ...]:
        """The triad of each bar's notes; None for a bar in which the score has no notes."""
        starts = np.asarray(analysis.bar_starts, dtype=np.float64)
        ends = starts + analysis.bar_s
        chroma = _bar_chroma((*self.harmony, *self.bass), starts, ends)
        bass = _bar_chroma(self.bass, starts, ends)
        heard = triads(chroma, bass, analysis.key)
        return tuple(
            chord if float(row.sum()) > 0.0 else None
            for chord, row in zip(heard, chroma, strict=True)
        )

    def key(self, analysis: Analysis) -> Key:
        """The key the song's chords are in: most of them diatonic, then the tonic chord
        opening the most four-bar phrases, then the most dwelt on, then the analysis' key.

        A pitch-class profile cannot tell a minor key from its relative major (they
        share every note); the chords can: phrases start (and end) at home.
        """
        bars = self.heard_chords(analysis)
        heard = [c for c in bars if c is not None]
        if not heard:
            return analysis.key
        openers = [c for c in bars[::4] if c is not None]

        def rank(key: Key) -> tuple[int, int, int, bool]:
            diatonic = _diatonic_triads(key)
            tonic = Chord(key.tonic, key.minor)
            return (sum(c in diatonic for c in heard), openers.count(tonic), heard.count(tonic),
                    key == analysis.key)

        return max((Key(t, m) for m in (False, True) for t in range(12)), key=rank)


def _diatonic_triads(key: Key) -> frozenset[Chord]:
    """The key's triads: natural minor, plus the raised fifth degree's major V."""
    t = key.tonic
    steps = ((3, False), (5, True), (7, True), (7, False), (8, False), (10, False)) if key.minor \
        else ((2, True), (4, True), (5, False), (7, False), (9, True))
    return frozenset({Chord(t, key.minor), *(Chord((t + d) % 12, m) for d, m in steps)})


def _bar_chroma(
    notes: Sequence[Note], starts: npt.NDArray[np.float64], ends: npt.NDArray[np.float64]
) -> npt.NDArray[np.float32]:
    chroma = np.zeros((starts.shape[0], 12), dtype=np.float32)
    for note in notes:
        overlap = np.minimum(ends, note.end) - np.maximum(starts, note.start)
        chroma[:, note.midi % 12] += np.maximum(overlap, 0.0).astype(np.float32) * note.amplitude
    return chroma


def _mono(x: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
    a = np.asarray(x, dtype=np.float32)
    return a.mean(axis=0) if a.ndim == 2 else a


def score_stems(stems: Mapping[str, npt.NDArray[np.floating]], sample_rate: int) -> Score:
    """Transcribe a song: the vocal stem's melody, the bass stem, the other stems' chords.

    Without stems (a plain ``mix``), the mix is transcribed once and split by
    register: the top line in the singing range is the melody, the notes under
    G3 the bass. Raises ``TranscriberUnavailable`` when the model cannot run.
    """
    if "vocals" in stems or "bass" in stems:
        melody = without_octave_ghosts(transcribe(
            stems["vocals"], sample_rate, min_hz=_MELODY_HZ[0], max_hz=_MELODY_HZ[1]
        )) if "vocals" in stems else []
        bass = transcribe(stems["bass"], sample_rate, max_hz=_BASS_MAX_HZ,
                          melodia=False) if "bass" in stems else []
        others = [_mono(x) for name, x in stems.items() if name not in ("vocals", "bass", "drums")]
        harmony = transcribe(_sum(others), sample_rate, melodia=False) if others else []
        return Score(tuple(melody), tuple(bass), tuple(harmony))
    mix = _sum([_mono(x) for x in stems.values()])
    notes = transcribe(mix, sample_rate, melodia=False)
    bass = [n for n in notes if n.midi < _MIX_SPLIT_MIDI]
    upper = [n for n in notes if n.midi >= _MIX_SPLIT_MIDI]
    melody = top_line(without_octave_ghosts(upper))
    return Score(tuple(melody), tuple(bass), tuple(n for n in upper if n not in melody))


def without_octave_ghosts(notes: Sequence[Note]) -> list[Note]:
    """Drop notes an octave above a louder note sounding at the same onset.

    A bright voice's second harmonic is sometimes heard as a quieter note of
    its own; a lead playing it would double the singer an octave up.
    """
    return [
        n for n in notes
        if not any(o.midi == n.midi - 12 and o.amplitude > n.amplitude
                   and abs(o.start - n.start) < 0.05 for o in notes)
    ]


def top_line(notes: Sequence[Note]) -> list[Note]:
    """The highest note sounding at each onset: the melody of a polyphonic transcription."""
    return [
        n for n in notes
        if not any(o.midi > n.midi and o.start <= n.start + 0.03 < o.end for o in notes)
    ]


def _sum(parts: list[npt.NDArray[np.float32]]) -> npt.NDArray[np.float32]:
    n = max(p.shape[0] for p in parts)
    out = np.zeros(n, dtype=np.float32)
    for p in parts:
        out[: p.shape[0]] += p
    return out
