"""The demo voices: synthetic singers whose timbre the project itself designed.

A voice cover needs a voice whose owner consented; the only voices the
project can give consent for are ones it made. Each demo voice is the demo
band's formant singer with its own vocal tract (formants scaled, as a longer
or shorter tract moves them), register, vibrato and breathiness, so the
voice-conversion code has real, distinct timbres to learn and to be measured
against. Everything is deterministic from the voice id, so the reference
recordings (and the profiles learnt from them) are the same on every machine.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.synth.instruments import F64, VOWELS, adsr, midi_hz, one_pole_lowpass, resonator

FloatArray = npt.NDArray[np.float32]
REFERENCE_SECONDS = 40.0
"""Long enough for the 30 s of singing a voice profile needs, with rests in between."""


@dataclass(frozen=True)
class Timbre:
    """What makes one synthetic singer sound like themselves."""

    formant_scale: float  # 1.0 = the demo band's house singer; < 1 a longer vocal tract
    low_note: int  # MIDI range the singer is comfortable in
    high_note: int
    vibrato_hz: float
    vibrato_depth: float  # relative F0 deviation
    open_quotient: float  # share of the glottal cycle the folds are open: lower is brighter
    breath: float  # aspiration noise level relative to the glottal pulses
    formant_gains: tuple[float, float, float] = (1.0, 0.6, 0.3)


@dataclass(frozen=True)
class Note:
    start_s: float
    seconds: float
    midi: float
    vowel: str


@dataclass(frozen=True, eq=False)
class Take:
    """A sung line and the notes it was sung from (the truth that F0 error is measured against)."""

    audio: FloatArray  # mono, float32
    sample_rate: int
    notes: tuple[Note, ...]


HOUSE_SINGER = Timbre(1.0, 67, 81, 5.5, 0.012, 0.6, 0.02)
"""The singer of the demo songs' lead (``instruments.sung_note``), for tests and benchmarks."""

DEMO_TIMBRES: dict[str, Timbre] = {
    # An alto: longer tract than the house soprano, slower vibrato, a little breathy.
    "voice-ada-nova": Timbre(0.86, 57, 72, 5.0, 0.016, 0.66, 0.035, (1.0, 0.7, 0.35)),
    # A baritone: much longer tract, low register, narrow vibrato, bright pulses.
    "voice-kai-orin": Timbre(0.78, 48, 64, 4.6, 0.01, 0.5, 0.015, (1.0, 0.5, 0.4)),
    # A bright mezzo (her consent is revoked in the demo catalog).
    "voice-celeste-marlow": Timbre(1.06, 60, 76, 6.1, 0.02, 0.58, 0.025, (1.0, 0.65, 0.45)),
}

_MAJOR = (0, 2, 4, 5, 7, 9, 11)


def _seed(voice_id: str) -> int:
    return zlib.crc32(voice_id.encode())


def _formants(source: F64, vowel: str, timbre: Timbre, sr: int) -> F64:
    freqs, widths = VOWELS[vowel]
    out = np.zeros(source.size)
    for f, bw, gain in zip(freqs, widths, timbre.formant_gains, strict=True):
        out += gain * resonator(source, f * timbre.formant_scale, bw * timbre.formant_scale, sr)
    return out


def sung(note: Note, timbre: Timbre, sr: int, rng: np.random.Generator) -> F64:
    """One syllable in ``timbre``: glottal pulses with vibrato and jitter through the vowel."""
    n = max(1, int(note.seconds * sr))
    t = np.arange(n) / sr
    onset = np.clip(t * 3, 0, 1)
    vibrato = 1 + timbre.vibrato_depth * np.sin(
        2 * np.pi * timbre.vibrato_hz * t + rng.uniform(0, 6.28)
    ) * onset
    jitter = 1 + 0.003 * one_pole_lowpass(rng.standard_normal(n), 30.0, sr)
    phase = np.cumsum(midi_hz(note.midi) * vibrato * jitter) / sr
    frac = phase - np.floor(phase)
    oq = timbre.open_quotient
    glottal = np.where(frac < oq, np.sin(np.pi * frac / oq) ** 2, 0.0)
    source = np.diff(glottal, prepend=0.0) * 20 + timbre.breath * rng.standard_normal(n)
    voice = _formants(source, note.vowel, timbre, sr)
    rms = float(np.sqrt(np.mean(voice**2)))
    if rms > 0:
        voice *= 1.0 / rms
    return np.asarray(voice * adsr(n, sr, 0.04, min(0.12, note.seconds / 3)), dtype=np.float64)


def sing(notes: tuple[Note, ...], timbre: Timbre, sr: int, seed: int, seconds: float) -> Take:
    """Sing ``notes`` in ``timbre`` into a ``seconds``-long mono take, peak 0.5."""
    rng = np.random.default_rng(seed)
    out = np.zeros(max(1, round(seconds * sr)))
    for note in notes:
        syllable = sung(note, timbre, sr, rng)
        at = round(note.start_s * sr)
        end = min(out.size, at + syllable.size)
        if at < end:
            out[at:end] += syllable[: end - at]
    peak = float(np.max(np.abs(out)))
    if peak > 0:
        out *= 0.5 / peak
    return Take(out.astype(np.float32), sr, notes)


def melody(
    low: int, high: int, seconds: float, seed: int, *, tonic: int = 0
) -> tuple[Note, ...]:
    """A singable line in a major key within ``low``–``high``: steps, small leaps, rests."""
    rng = np.random.default_rng(seed)
    pitches = [m for m in range(low, high + 1) if (m - tonic) % 12 in _MAJOR]
    index = len(pitches) // 2
    notes: list[Note] = []
    at = 0.25
    vowels = "aeiou"
    while at < seconds - 0.6:
        length = float(rng.choice((0.3, 0.45, 0.6, 0.9)))
        index = int(np.clip(index + rng.choice((-2, -1, -1, 0, 1, 1, 2, 3, -3)), 0, len(pitches) - 1))
        notes.append(Note(at, length * 0.92, float(pitches[index]), vowels[int(rng.integers(0, 5))]))
        at += length
        if rng.random() < 0.12:
            at += float(rng.choice((0.25, 0.5)))  # a breath
    return tuple(notes)


def reference_singing(voice_id: str, sr: int = 44_100, seconds: float = REFERENCE_SECONDS) -> Take:
    """The reference recording of a demo voice: ``seconds`` of it singing across its range."""
    if voice_id not in DEMO_TIMBRES:
        known = ", ".join(sorted(DEMO_TIMBRES))
        raise KeyError(f"no demo voice {voice_id!r}; the demo voices are {known}")
    timbre = DEMO_TIMBRES[voice_id]
    seed = _seed(voice_id)
    notes = melody(timbre.low_note, timbre.high_note, seconds, seed, tonic=seed % 12)
    return sing(notes, timbre, sr, seed + 1, seconds)
