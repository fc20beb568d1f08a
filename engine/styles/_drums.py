"""Generated drum parts: step patterns played on small synthesized kits.

A pattern is a string per instrument, one character per sixteenth (``X``
accent, ``x`` hit, ``o`` soft, ``g`` ghost, ``.`` rest), so a groove reads
like a drum-machine screen and is cheap to vary per style. Patterns longer
than 16 steps span several bars.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from engine.styles import _voices as v
from engine.styles._take import Take

FloatArray = npt.NDArray[np.float32]

_VELOCITY = {"X": 1.0, "x": 0.8, "o": 0.55, "g": 0.3, ".": 0.0}


def play(
    take: Take,
    lanes: Mapping[str, tuple[FloatArray, str]],
    *,
    swing: float = 0.5,
    humanize_s: float = 0.0,
    late_s: Mapping[str, float] | None = None,
) -> FloatArray:
    """Render lanes of (one-shot, pattern) on the timeline's sixteenth grid.

    ``swing`` is the share of an eighth the first sixteenth takes (0.5 is
    straight, 0.6 lazy). ``late_s`` lays a lane back, as a lazy snare does.
    """
    tl = take.timeline
    out = take.silence()
    step_s = tl.bar_s / 16
    for name, (shot, pattern) in lanes.items():
        cycle = len(pattern)
        steps = tl.steps(16, bars_per_cycle=max(1, cycle // 16))
        vel = np.array([_VELOCITY[c] for c in pattern], dtype=np.float32)[steps.step % cycle]
        hit = vel > 0
        times = steps.times[hit] + np.where(
            steps.step[hit] % 2 == 1, (swing - 0.5) * 2 * step_s, 0.0
        )
        times = times + (late_s or {}).get(name, 0.0)
        gains = vel[hit]
        if humanize_s > 0:
            times = times + take.rng.normal(0.0, humanize_s, times.shape[0])
            gains = gains * np.clip(1.0 + take.rng.normal(0.0, 0.08, gains.shape[0]), 0.6, 1.3)
        v.place(out, shot, times, gains, tl.sample_rate)
    return out


def lofi_drums(take: Take) -> FloatArray:
    """A lazy boom-bap: swung hats, a laid-back snare, soft and dull."""
    sr, rng = take.sample_rate, take.rng
    lanes = {
        "kick": (v.kick(sr, f_start=95.0, f_end=46.0, decay_s=0.18), "X......x..X....."),
        "snare": (
            0.8 * v.snare(rng, sr, decay_s=0.09, brightness_hz=3000.0, tone_level=0.35),
            "....X.......X...",
        ),
        "hat": (0.35 * v.hat(rng, sr, decay_s=0.03, cutoff_hz=5000.0), "x.o.x.o.x.o.x.oo"),
    }
    return play(
        take, lanes, swing=take.num("swing", 0.6), humanize_s=0.006, late_s={"snare": 0.018}
    )


def gated_drums(take: Take) -> FloatArray:
    """80s drums: a big kick and a snare with a gated-reverb wash, straight hats."""
    sr, rng = take.sample_rate, take.rng
    crack = v.snare(rng, sr, decay_s=0.08, brightness_hz=8000.0)
    tail = v.gated_tail(rng, sr, gate_s=take.num("gate_s", 0.24))
    big = np.zeros(max(crack.shape[0], tail.shape[0]), dtype=np.float32)
    big[: crack.shape[0]] += crack
    big[: tail.shape[0]] += 0.45 * tail
    lanes = {
        "kick": (v.kick(sr, f_start=150.0, f_end=50.0, decay_s=0.28), "X.......X.x....."),
        "snare": (big, "....X.......X..."),
        "hat": (0.3 * v.hat(rng, sr, decay_s=0.025, cutoff_hz=8000.0), "x.o.x.o.x.o.x.o."),
    }
    return play(take, lanes)


def chip_drums(take: Take) -> FloatArray:
    """Console drums: a pulse-channel kick and stepped-noise snare and hats."""
    sr, rng = take.sample_rate, take.rng
    lanes = {
        "kick": (v.chip_kick(sr), "X.......X.x....."),
        "snare": (0.7 * v.chip_noise(rng, sr, decay_s=0.05, hold=3), "....X.......X..."),
        "hat": (0.25 * v.chip_noise(rng, sr, decay_s=0.012, hold=1), "x.x.x.x.x.x.x.xx"),
    }
    return play(take, lanes)


def soft_percussion(take: Take) -> FloatArray:
    """Hand percussion for the acoustic style: a cajon-like thump, brush, shaker."""
    sr, rng = take.sample_rate, take.rng
    lanes = {
        "kick": (v.kick(sr, f_start=90.0, f_end=60.0, decay_s=0.1, click=0.05), "X.......x..o...."),
        "brush": (
            0.5 * v.snare(rng, sr, decay_s=0.16, brightness_hz=3500.0, tone_level=0.1),
            "....x.......x...",
        ),
        "shaker": (0.3 * v.shaker(rng, sr), "xgogxgogxgogxgog"),
    }
    return play(take, lanes, swing=0.54, humanize_s=0.004)


def timpani(take: Take) -> FloatArray:
    """Timpani on the chord root at the top of every ``every`` bars (default 2)."""
    tl, sr = take.timeline, take.sample_rate
    every = max(1, int(take.num("every", 2)))
    out = take.silence()
    shots: dict[int, FloatArray] = {}
    for i, (start, chord) in enumerate(zip(tl.bar_starts(), tl.bar_chords(), strict=True)):
        if i % every:
            continue
        midi = 40 + (chord.root - 4) % 12  # E2..Eb3, where timpani sit
        if midi not in shots:
            shots[midi] = v.timpani(tl.hz(midi), sr, take.rng)
        v.place(out, shots[midi], [start], [1.0], sr)
    return out


# Two bars of a rolling break. The ghost on beat three keeps each beat audible
# at the full tempo, which is what makes the break read as 170+ and not 85.
_BREAK = {
    "kick": "X.........x.....X.x.......x.....",
    "snare": "....X..gog..X..g....X..go...X.g.",
    "hat": "x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.xo",
}


def breakbeat(take: Take) -> FloatArray:
    """A drum & bass break at the output tempo (the stretched one)."""
    sr, rng = take.sample_rate, take.rng
    snare = v.snare(rng, sr, decay_s=0.09, brightness_hz=9000.0, tone_hz=210.0)
    lanes = {
        "kick": (v.kick(sr, f_start=160.0, f_end=52.0, decay_s=0.16), _BREAK["kick"]),
        "snare": (snare, _BREAK["snare"]),
        "hat": (0.3 * v.hat(rng, sr, decay_s=0.02, cutoff_hz=9000.0), _BREAK["hat"]),
    }
    return play(take, lanes, humanize_s=0.002)
