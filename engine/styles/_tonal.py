"""Generated pitched parts: bass lines, arpeggios, strums and pads from the chords.

Each part reads one chord per output bar from the timeline and turns it into
notes on the grid; the note shapes come from ``_voices``. Registers are
chosen per part (a bass an octave or two under the pads) and every pitch is
multiplied by the timeline's tuning, so parts stay in tune with a varispeed
song.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from engine.analysis import Chord
from engine.styles import _voices as v
from engine.styles._take import Take

FloatArray = npt.NDArray[np.float32]


def _in_octave(pc: int, base_midi: int) -> int:
    """The pitch class ``pc`` at or just above ``base_midi``."""
    return base_midi + (pc - base_midi) % 12


def _sequence(
    take: Take, per_bar: int, intervals: list[list[int]], base: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Start times and MIDI pitches of a repeating figure over each bar's chord.

    ``intervals[k]`` lists the semitones above the root played at step k of a
    bar (a rest when empty), cycled through the bar.
    """
    tl = take.timeline
    chords = tl.bar_chords()
    steps = tl.steps(per_bar)
    starts: list[float] = []
    pitches: list[float] = []
    for t, step, bar in zip(steps.times, steps.step, steps.bar, strict=True):
        figure = intervals[int(step) % len(intervals)]
        if not figure:
            continue
        root = _in_octave(chords[int(bar)].root, base)
        for semis in figure:
            starts.append(float(t))
            pitches.append(float(root + semis))
    return np.array(starts), np.array(pitches)


def _third(chord: Chord) -> int:
    return 3 if chord.minor else 4


def saw_arp(take: Take) -> FloatArray:
    """Synthwave bass: sixteenth saws running root, octave, fifth, octave."""
    tl, sr = take.timeline, take.sample_rate
    base = int(take.num("base_midi", 33))
    starts, midis = _sequence(take, 16, [[0], [12], [7], [12]], base)
    step = tl.bar_s / 16

    def voice(hz: float, n: int) -> FloatArray:
        return v.ramp_edges(v.saw(hz, n, sr) * v.decay(n, sr, step * 1.2), sr, 0.002, 0.01)

    out = take.silence()
    v.NoteRenderer(voice, sr).render(
        out,
        starts,
        np.full(starts.shape, step * 0.92),
        [tl.hz(m) for m in midis],
        np.ones(starts.shape),
    )
    return out


def pulse_bass(take: Take) -> FloatArray:
    """Chiptune bass: eighth notes of a 25 % pulse, root and octave."""
    tl, sr = take.timeline, take.sample_rate
    starts, midis = _sequence(take, 8, [[0], [0], [12], [0], [0], [12], [7], [12]], 33)
    # Legato: each note runs into the next (its edge ramps keep the attack). A
    # gap after every eighth lined up with the arpeggio's and left the whole
    # band silent on each off-beat of a quiet section.
    length = tl.bar_s / 8

    def voice(hz: float, n: int) -> FloatArray:
        return v.ramp_edges(v.pulse(hz, n, sr, 0.25), sr, 0.001, 0.005)

    out = take.silence()
    v.NoteRenderer(voice, sr).render(
        out,
        starts,
        np.full(starts.shape, length),
        [tl.hz(m) for m in midis],
        np.full(starts.shape, 0.6),
    )
    return out


def chip_arp(take: Take) -> FloatArray:
    """Chiptune chords: the triad as a fast square-wave arpeggio, as consoles did."""
    tl, sr = take.timeline, take.sample_rate
    chords = tl.bar_chords()
    steps = tl.steps(16)
    base = int(take.num("base_midi", 67))
    length = tl.bar_s / 16
    starts, hz = [], []
    for t, step, bar in zip(steps.times, steps.step, steps.bar, strict=True):
        chord = chords[int(bar)]
        tones = (0, _third(chord), 7, 12)
        starts.append(float(t))
        hz.append(tl.hz(_in_octave(chord.root, base) + tones[int(step) % 4]))

    def voice(f: float, n: int) -> FloatArray:
        return v.ramp_edges(v.pulse(f, n, sr, 0.5) * v.decay(n, sr, length), sr, 0.001, 0.004)

    out = take.silence()
    # Each note runs its whole step: the decay articulates it, not a gap.
    v.NoteRenderer(voice, sr).render(
        out, starts, np.full(len(starts), length), hz, np.full(len(starts), 0.35)
    )
    return out


def _guitar_voicing(chord: Chord) -> list[int]:
    """Five strings of an open-position shape: root, fifth, octave, third, fifth."""
    root = _in_octave(chord.root, 40)  # E2..Eb3
    return [root, root + 7, root + 12, root + 12 + _third(chord), root + 19]


# (sixteenth, downstroke?, velocity): down on 1, up on 2&, down on 3, up on 4&.
_STRUMS = ((0, True, 1.0), (6, False, 0.55), (8, True, 0.8), (14, False, 0.5))


def guitar_strum(take: Take) -> FloatArray:
    """Karplus-Strong strums of each bar's chord, spread across the strings."""
    tl, sr = take.timeline, take.sample_rate
    spread = take.num("spread_s", 0.012)
    plucked: dict[float, FloatArray] = {}
    longest = int(min(tl.bar_s, 2.5) * sr)

    def voice(hz: float, n: int) -> FloatArray:
        if hz not in plucked:
            plucked[hz] = v.karplus_strong(hz, longest, sr, take.rng, damping=0.997)
        return v.ramp_edges(plucked[hz][:n].copy(), sr, 0.0, 0.03)

    renderer = v.NoteRenderer(voice, sr)
    out = take.silence()
    step = tl.bar_s / 16
    for start, chord in zip(tl.bar_starts(), tl.bar_chords(), strict=True):
        strings = _guitar_voicing(chord)
        for k, (pos, down, vel) in enumerate(_STRUMS):
            end = _STRUMS[k + 1][0] if k + 1 < len(_STRUMS) else 16
            # Upstrokes catch only the top three strings, top first.
            order = strings if down else strings[:1:-1]
            times = start + pos * step + spread * np.arange(len(order))
            dur = (end - pos) * step + 0.05
            renderer.render(
                out,
                times,
                np.full(len(order), dur),
                [tl.hz(m) for m in order],
                np.full(len(order), 0.35 * vel),
            )
    return out


def pluck_bass(take: Take) -> FloatArray:
    """A plucked upright-ish bass: root on one, fifth on three."""
    tl, sr = take.timeline, take.sample_rate
    starts, midis = _sequence(take, 4, [[0], [], [7], []], 28)
    plucked: dict[float, FloatArray] = {}
    longest = int(tl.bar_s / 2 * sr) + 1

    def voice(hz: float, n: int) -> FloatArray:
        if hz not in plucked:
            plucked[hz] = v.karplus_strong(hz, longest, sr, take.rng, damping=0.995)
        return v.ramp_edges(plucked[hz][:n].copy(), sr, 0.0, 0.04)

    out = take.silence()
    v.NoteRenderer(voice, sr).render(
        out,
        starts,
        np.full(starts.shape, tl.bar_s / 2),
        [tl.hz(m) for m in midis],
        np.ones(starts.shape),
    )
    return out


def pad(take: Take) -> FloatArray:
    """String-like swells: detuned saws per chord tone, a slow attack each bar.

    ``voicing`` is ``chord`` (root low, triad above) or ``root`` (a low string
    section doubling the bass); ``attack`` is the swell as a share of a bar.
    """
    tl, sr = take.timeline, take.sample_rate
    cents = take.num("detune_cents", 9.0)
    attack = take.num("attack", 0.4) * tl.bar_s
    release = take.num("release_s", 0.35)
    root_only = take.text("voicing", "chord") == "root"
    base = int(take.num("base_midi", 48))
    ratios = 2.0 ** (np.array([-cents, 0.0, cents]) / 1200.0)
    phases = (0.0, 0.31, 0.67)

    def voice(hz: float, n: int) -> FloatArray:
        x = np.zeros(n, dtype=np.float32)
        for r, p in zip(ratios, phases, strict=True):
            x += v.saw(float(hz * r), n, sr, p)
        return v.ramp_edges(x / np.float32(3.0), sr, min(attack, n / sr / 2), release)

    renderer = v.NoteRenderer(voice, sr)
    out = take.silence()
    for start, chord in zip(tl.bar_starts(), tl.bar_chords(), strict=True):
        root = _in_octave(chord.root, base)
        midis = [root] if root_only else [root, root + 12 + _third(chord), root + 19, root + 24]
        renderer.render(
            out,
            np.full(len(midis), start),
            np.full(len(midis), tl.bar_s + release),
            [tl.hz(m) for m in midis],
            np.full(len(midis), 0.3),
        )
    return out


def reese_bass(take: Take) -> FloatArray:
    """Drum & bass low end: a detuned-saw reese over a sine sub, a note per bar."""
    tl, sr = take.timeline, take.sample_rate
    cents = take.num("detune_cents", 14.0)

    def voice(hz: float, n: int) -> FloatArray:
        up, down = 2.0 ** (cents / 1200.0), 2.0 ** (-cents / 1200.0)
        reese = 0.5 * (v.saw(hz * up, n, sr) + v.saw(hz * down, n, sr, 0.5))
        sub = v.sine(hz / 2, n, sr)
        return v.ramp_edges(0.55 * reese + 0.8 * sub, sr, 0.004, 0.04)

    renderer = v.NoteRenderer(voice, sr)
    out = take.silence()
    step = tl.bar_s / 16
    for start, chord in zip(tl.bar_starts(), tl.bar_chords(), strict=True):
        hz = tl.hz(_in_octave(chord.root, 36))
        # Held for most of the bar, re-struck with the second kick.
        renderer.render(
            out,
            [start, start + 10 * step],
            [10 * step - 0.01, 6 * step - 0.01],
            [hz, hz],
            [1.0, 0.85],
        )
    return out
