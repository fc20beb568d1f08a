"""Original demo songs with their true stems, deterministic from a seed.

A song is intro → verse → chorus → verse → chorus → outro over a four-chord
progression; the chorus is louder and busier, so section picking has a real
chorus to find. Stems are drums, bass, other (chords) and vocals — demucs'
four names — and they sum exactly to the mix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.synth.instruments import (
    F64,
    adsr,
    hat,
    kick,
    midi_hz,
    one_pole_lowpass,
    place,
    saw,
    snare,
    sung_note,
)

FloatArray = npt.NDArray[np.float32]
SAMPLE_RATE = 44_100
STEM_NAMES = ("drums", "bass", "other", "vocals")
_TOP_NOTE = 81  # A5: the top of the demo singer's range
_PAD_RELEASE_S = 0.3  # how long a chord rings into the next bar
_PITCH = {"C": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "F": 5, "F#": 6, "Gb": 6,
          "G": 7, "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11}


@dataclass(frozen=True)
class SongSpec:
    title: str
    tempo_bpm: float
    key: str  # "A minor", "C major"
    progression: tuple[str, ...]  # chord names, one per bar: "Am", "F", "C", "G"
    duration_s: float = 36.0


@dataclass(frozen=True)
class SungNote:
    """One note of the demo singer's line: onset (s), length (s) and MIDI pitch."""

    start_s: float
    seconds: float
    midi: int


@dataclass(frozen=True, eq=False)
class SongStems:
    stems: dict[str, FloatArray]
    sample_rate: int
    melody: tuple[SungNote, ...] = ()
    """What the singer sang: the ground truth that transcription is measured against."""
    chords: tuple[tuple[float, str], ...] = ()
    """(bar start in seconds, chord name) for every bar: the true harmony."""

    def mix(self) -> FloatArray:
        return np.asarray(sum(self.stems.values()), dtype=np.float32)

    def stem_audio(self) -> dict[str, FloatArray]:
        return dict(self.stems)

    @property
    def duration_s(self) -> float:
        return float(next(iter(self.stems.values())).shape[1] / self.sample_rate)


def parse_chord(name: str) -> tuple[int, bool]:
    """``"F#m"`` → (6, True)."""
    minor = name.endswith("m") and not name.endswith("maj")
    root = name[:-1] if minor else name
    return _PITCH[root], minor


def _scale(key: str) -> list[int]:
    tonic, mode = key.split()
    steps = [0, 2, 3, 5, 7, 8, 10] if mode.startswith("min") else [0, 2, 4, 5, 7, 9, 11]
    return [(_PITCH[tonic] + s) % 12 for s in steps]


def _bars(spec: SongSpec, bar_s: float) -> list[tuple[str, float]]:
    """(section, energy) per bar: the section plan fitted to about ``duration_s``."""
    total = max(10, math.ceil(spec.duration_s / bar_s))
    body = total - 2
    verse, chorus = body // 4, body // 4
    last_chorus = body - 2 * verse - chorus
    plan = [("intro", 0.45)]
    for name, count, energy in (("verse", verse, 0.7), ("chorus", chorus, 1.0),
                                ("verse", verse, 0.7), ("chorus", last_chorus, 1.0)):
        plan += [(name, energy)] * count
    return [*plan, ("outro", 0.5)]


def render_song(spec: SongSpec, seed: int, sample_rate: int = SAMPLE_RATE) -> SongStems:
    """Render the whole song; same spec and seed → bit-identical stems."""
    rng = np.random.default_rng(seed)
    sr = sample_rate
    beat = 60.0 / spec.tempo_bpm
    bar_s = 4 * beat
    bars = _bars(spec, bar_s)
    n = round(len(bars) * bar_s * sr) + int(0.5 * sr)
    drums = np.zeros((2, n))
    bass = np.zeros(n)
    pad = np.zeros((2, n))
    vocals = np.zeros(n)
    k, s, h, oh = kick(sr), snare(sr, rng), hat(sr, rng), hat(sr, rng, open_=True)
    scale = _scale(spec.key)
    last_note = 69 + (scale[0] - 9)
    last_vowel: str | None = None
    sung: list[SungNote] = []
    chords: list[tuple[float, str]] = []
    for index, (section, energy) in enumerate(bars):
        start = index * bar_s
        chord_name = spec.progression[index % len(spec.progression)]
        chords.append((start, chord_name))
        root, minor = parse_chord(chord_name)
        third = 3 if minor else 4
        chord_tones = [root, root + third, root + 7]
        # drums: none in the intro, four-on-the-floor in the chorus
        if section != "intro":
            kicks = range(4) if section == "chorus" else (0, 2)
            for b in kicks:
                for ch in (0, 1):
                    place(drums[ch], k, int((start + b * beat) * sr), 0.9 * energy)
            for b in (1, 3):
                place(drums[0], s, int((start + b * beat) * sr), 0.55 * energy)
                place(drums[1], s, int((start + b * beat) * sr), 0.5 * energy)
            for eighth in range(8):
                sample = oh if section == "chorus" and eighth % 2 else h
                at = int((start + eighth * beat / 2 + rng.normal(0, 0.004)) * sr)
                place(drums[1], sample, max(0, at), 0.6 * energy)
                place(drums[0], sample, max(0, at), 0.35 * energy)
        # bass: eighth-note roots, octave jump on the last eighth
        for eighth in range(8):
            at = int((start + eighth * beat / 2) * sr)
            length = int(beat / 2 * sr * 0.9)
            note = 36 + root + (12 if eighth == 7 else 0)
            tone = saw(midi_hz(note), length, sr) * adsr(length, sr, 0.005, 0.05, 0.9)
            place(bass, one_pole_lowpass(tone, 500.0, sr), at, 0.45 * max(energy, 0.6))
        # pad: detuned saws per chord tone, a little wider on the right. Each chord
        # rings on past the bar line while the next one swells in, as a held
        # chord does: a pad that released *before* the bar line left the whole
        # band silent for 20-40 ms at every bar (the bass and the singer breathe
        # there too).
        length = int((bar_s + _PAD_RELEASE_S) * sr)
        at = int(start * sr)
        for tone_pc in chord_tones:
            f = midi_hz(60 + tone_pc % 12)
            for ch, detune in ((0, 0.997), (1, 1.004)):
                voice = saw(f * detune, length, sr, rng.uniform()) + saw(f / detune, length, sr)
                envelope = adsr(length, sr, 0.15, _PAD_RELEASE_S, 0.8)
                place(pad[ch], voice * envelope, at, 0.1 * energy)
        # vocals: a phrase over the bar from chord and scale tones, rests in the intro
        if section == "intro":
            continue
        slots = 4 if section == "verse" else 6
        step = bar_s / slots
        for slot in range(slots):
            if rng.random() < (0.2 if section == "verse" else 0.1):
                last_vowel = None  # after a rest the next syllable starts afresh
                continue
            pool = chord_tones if slot % 2 == 0 else scale
            candidates = [67 + ((pc - 7) % 12) for pc in pool]
            candidates += [c + 12 for c in candidates if c + 12 <= _TOP_NOTE]
            target = min(candidates, key=lambda c: abs(c - last_note) + rng.random() * 4)
            # The chorus lifts some notes a fourth, but only onto notes of the
            # key and within the range: clamping to the top note would sing an
            # A natural in C minor.
            lift = target + 5
            if section == "chorus" and rng.random() < 0.3 and lift <= _TOP_NOTE and lift % 12 in scale:
                target = lift
            last_note = target
            vowel = "aeiou"[int(rng.integers(0, 5))]
            syllable = sung_note(target, step * 0.95, vowel, sr, rng, from_vowel=last_vowel)
            last_vowel = vowel
            place(vocals, syllable, int((start + slot * step) * sr), 0.18 * (0.8 + 0.2 * energy))
            sung.append(SungNote(start + slot * step, step * 0.95, int(target)))
    pad = np.stack([one_pole_lowpass(pad[0], 2500.0, sr), one_pole_lowpass(pad[1], 2500.0, sr)])
    stems: dict[str, F64] = {
        "drums": drums,
        "bass": np.stack([bass, bass]),
        "other": pad,
        "vocals": np.stack([vocals * 1.0, vocals * 0.96]),
    }
    peak = float(np.max(np.abs(sum(stems.values()))))
    gain = 0.89 / peak if peak > 0 else 1.0
    return SongStems(
        {name: (x * gain).astype(np.float32) for name, x in stems.items()},
        sr,
        tuple(sung),
        tuple(chords),
    )
