"""The one renderer: a recipe applied to a section of a song's stems.

Only the requested section (plus a short pre-roll, so reverbs and the first
notes are already sounding at the cut) is processed, never the whole song.
Kept stems are gained, run through their chains and summed to one bus; the
bus changes speed once; generated parts are made at the output tempo and
levelled against the part they replace; the master chain runs last. The
result is the unmastered mix: loudness and encoding belong to later stages.
"""

from __future__ import annotations

import dataclasses
import math
import zlib
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from engine.analysis import SAMPLE_RATE, Analysis, Chord, analyse, choose_section
from engine.styles._effects import apply_chain
from engine.styles._generators import GENERATORS
from engine.styles._recipe import STEM_NAMES, Effect, GeneratorSpec, StyleRecipe
from engine.styles._take import Take
from engine.styles._tempo import TempoPlan, apply_tempo, plan_tempo, source_samples
from engine.styles._timeline import Timeline, build_timeline
from engine.transcription import Note, Score

FloatArray = npt.NDArray[np.float32]
Stems = Mapping[str, npt.NDArray[np.floating]]

PREROLL_S = 0.75
"""Audio rendered before the cut so effect tails and notes are already sounding."""

_SILENT_RMS = 1e-4
_SPATIAL = frozenset({"chorus", "delay", "phaser", "reverb"})
_FALLBACK_RMS = 0.05


def render_style(
    recipe: StyleRecipe,
    stems: Stems,
    sample_rate: int = SAMPLE_RATE,
    *,
    section: tuple[float, float],
    seed: int,
    analysis: Analysis | None = None,
    score: Score | None = None,
) -> FloatArray:
    """Render ``section`` (start, end in song seconds) of the song in a style.

    Returns float32 ``(2, n)`` with ``n = round((end - start) * sample_rate)``.
    A style that speeds the song up consumes more than ``end - start`` seconds
    of the song from ``start`` (see ``source_seconds``); when the song runs
    out, the start moves back to the bar line that makes it fit. The same
    inputs and ``seed`` always give the same samples. Pass the song's
    ``analysis`` when it is at hand: it is the costliest input to recompute.
    With the song's ``score``, generated parts voice its transcribed chords
    and leads play its transcribed melody; without it they follow the
    analysis' chords and trace the vocal stem.
    """
    start, end = section
    sr = sample_rate
    out_n = round((end - start) * sr)
    if out_n <= 0:
        raise ValueError(f"empty section {section}")
    if analysis is None and recipe.generates:
        analysis = analyse(stems, sr)
    plan = plan_tempo(recipe.tempo, analysis, recipe.pitch_semitones)
    song_n = max((np.asarray(x).shape[-1] for x in stems.values()), default=0)
    start = _fit_start(start, out_n / sr, plan, song_n / sr, analysis)
    pre_n = round(min(PREROLL_S, start / plan.rate) * sr)
    n = pre_n + out_n
    src_start = start - pre_n / sr * plan.rate
    src0, src_len = round(src_start * sr), source_samples(plan, n)

    bus = _kept_stems(recipe, stems, src0, src_len, sr)
    mix = apply_tempo(bus, plan, sr, n) if bus is not None else np.zeros((2, n), np.float32)
    if recipe.replacements or recipe.layers:
        assert analysis is not None
        timeline = build_timeline(
            following(analysis, score),
            sample_rate=sr,
            n=n,
            src_start=src_start,
            rate=plan.rate,
            bpm=plan.bpm,
            tuning=plan.tuning,
        )
        bus_rms = _rms(bus) if bus is not None else _FALLBACK_RMS
        melody = score.melody if score is not None else None
        mix += _generated_parts(recipe, stems, timeline, src0, src_len, bus_rms, seed, melody)

    mix = apply_chain(recipe.master_chain, mix, sr)[:, pre_n : pre_n + out_n]
    return np.ascontiguousarray(
        np.nan_to_num(mix, nan=0.0, posinf=0.0, neginf=0.0), dtype=np.float32
    )


def _kept_stems(
    recipe: StyleRecipe, stems: Stems, src0: int, src_len: int, sample_rate: int
) -> FloatArray | None:
    """The source-time bus of the stems the style keeps, each gained and chained."""
    bus: FloatArray | None = None
    for stem in STEM_NAMES:
        gain = recipe.gain(stem)
        if stem in recipe.replacements or gain == 0.0 or stem not in stems:
            continue
        part = _window(stems[stem], src0, src_len) * np.float32(gain)
        part = apply_chain(recipe.chains.get(stem, ()), part, sample_rate)
        bus = part if bus is None else bus + part
    return bus


def _generated_parts(
    recipe: StyleRecipe,
    stems: Stems,
    timeline: Timeline,
    src0: int,
    src_len: int,
    bus_rms: float,
    seed: int,
    melody: tuple[Note, ...] | None = None,
) -> FloatArray:
    """Every replacement and layer, levelled, chained and panned, summed.

    Each part draws from its own generator seeded by (seed, part name), so
    adding a part to a recipe never changes how the others sound.
    """
    out = np.zeros((2, timeline.n), dtype=np.float32)
    for name, spec in (*recipe.replacements.items(), *recipe.layers.items()):
        gain = recipe.gain(name)
        if gain == 0.0:
            continue
        params = spec.kwargs()
        follow_name = str(params.get("follow", ""))
        follow = (
            _window(stems[follow_name], src0, src_len).mean(axis=0)
            if follow_name in stems
            else None
        )
        rng = np.random.default_rng([seed % 2**64, zlib.crc32(name.encode())])
        part = GENERATORS[spec.kind](Take(timeline, params, rng, follow, melody))
        reference = _reference_rms(name, spec, stems, src0, src_len, bus_rms)
        level = gain * reference * 10.0 ** (float(params.get("level_db", 0.0)) / 20.0)
        out += _finish(part, spec, recipe.chains.get(name, ()), level, timeline.sample_rate)
    return out


def source_seconds(recipe: StyleRecipe, seconds: float, analysis: Analysis | None = None) -> float:
    """Seconds of the song a clip of ``seconds`` consumes in this style.

    Pick the section with this length (``choose_section``) and render
    ``(start, start + seconds)``: the clip then holds the chosen music.
    """
    return seconds * plan_tempo(recipe.tempo, analysis, recipe.pitch_semitones).rate


def preview(
    recipe: StyleRecipe,
    stems: Stems,
    sample_rate: int = SAMPLE_RATE,
    *,
    seed: int = 0,
    analysis: Analysis | None = None,
) -> FloatArray:
    """A short taste of the style (``recipe.preview_seconds``) on the song's best part."""
    if analysis is None:
        analysis = analyse(stems, sample_rate)
    seconds = recipe.preview_seconds
    start, _ = choose_section(None, source_seconds(recipe, seconds, analysis), analysis=analysis)
    return render_style(
        recipe, stems, sample_rate, section=(start, start + seconds), seed=seed, analysis=analysis
    )


def _fit_start(
    start: float, out_s: float, plan: TempoPlan, song_s: float, analysis: Analysis | None
) -> float:
    """Move the start back when the song would run out before the clip does."""
    latest = song_s - out_s * plan.rate
    if start <= latest + 1e-6:
        return max(0.0, start)
    latest = max(0.0, latest)
    if analysis is not None:
        bars = [b for b in analysis.bar_starts if 0.0 <= b <= latest]
        if bars:
            return float(bars[-1])
    return latest


def _window(x: npt.NDArray[np.floating], start: int, length: int) -> FloatArray:
    """``length`` samples of ``x`` (as stereo) from ``start``, zero outside the song."""
    a = np.asarray(x, dtype=np.float32)
    if a.ndim == 1:
        a = np.stack([a, a])
    elif a.shape[0] == 1:
        a = np.repeat(a, 2, axis=0)
    out = np.zeros((2, length), dtype=np.float32)
    lo, hi = max(start, 0), min(start + length, a.shape[1])
    if hi > lo:
        out[:, lo - start : hi - start] = a[:2, lo:hi]
    return out


def _finish(
    part: FloatArray, spec: GeneratorSpec, chain: tuple[Effect, ...], level: float, sample_rate: int
) -> FloatArray:
    """Level a generated part, run its chain and pan it into stereo.

    A mono part stays mono through its chain (half the cost) unless the chain
    has an effect that makes width, such as chorus or reverb.
    """
    spatial = any(e.kind in _SPATIAL for e in chain)
    if part.ndim == 2 or spatial:
        stereo = part if part.ndim == 2 else _pan(part, spec)
        stereo = stereo * np.float32(level / max(_rms(stereo), 1e-9))
        return apply_chain(chain, stereo, sample_rate)
    # Panned at constant power, a mono part's stereo RMS is its RMS / sqrt(2).
    mono = part * np.float32(level * math.sqrt(2.0) / max(_rms(part), 1e-9))
    return _pan(apply_chain(chain, mono[None, :], sample_rate)[0], spec)


def _pan(part: FloatArray, spec: GeneratorSpec) -> FloatArray:
    pan = float(dict(spec.params).get("pan", 0.0))
    angle = (pan + 1.0) * math.pi / 4.0
    return np.stack([part * math.cos(angle), part * math.sin(angle)]).astype(np.float32)


def _rms(x: FloatArray) -> float:
    return (
        float(np.sqrt(np.mean(np.square(x, dtype=np.float32), dtype=np.float64))) if x.size else 0.0
    )


def _reference_rms(
    name: str, spec: GeneratorSpec, stems: Stems, src0: int, src_len: int, bus_rms: float
) -> float:
    """How loud a generated part should be: as loud as what it replaces or matches.

    Falls back to the kept stems' bus (then to a fixed level) when that part is
    missing or silent in this section, so a replaced-but-silent stem does not
    silence its replacement.
    """
    match = str(dict(spec.params).get("match", name))
    if match in stems:
        rms = _rms(_window(stems[match], src0, src_len))
        if rms > _SILENT_RMS:
            return rms
    return bus_rms if bus_rms > _SILENT_RMS else _FALLBACK_RMS


def following(analysis: Analysis, score: Score | None) -> Analysis:
    """The analysis the generated parts play from: the score's chords and key, when there is one."""
    if score is None:
        return analysis
    return dataclasses.replace(analysis, chords=score.chords(analysis), key=score.key(analysis))


def tempo_plan(recipe: StyleRecipe, analysis: Analysis | None) -> TempoPlan:
    """How a style plays a song: its rate, output tempo and tuning against the song."""
    return plan_tempo(recipe.tempo, analysis, recipe.pitch_semitones)


def arrangement_chords(
    recipe: StyleRecipe,
    analysis: Analysis,
    section: tuple[float, float],
    song_s: float = math.inf,
    score: Score | None = None,
) -> list[tuple[float, Chord]]:
    """(song time, chord) of every beat the generated parts play in ``section``.

    The same grid ``render_style`` builds, read the way its generators read
    it (one chord per output bar), so a benchmark can hold the arrangement's
    harmony against the song's true chords.
    """
    start, end = section
    plan = tempo_plan(recipe, analysis)
    start = _fit_start(start, end - section[0], plan, song_s, analysis)
    n = round((end - section[0]) * SAMPLE_RATE)
    timeline = build_timeline(following(analysis, score), sample_rate=SAMPLE_RATE, n=n,
                              src_start=start,
                              rate=plan.rate, bpm=plan.bpm, tuning=plan.tuning)
    chords = timeline.bar_chords()
    beats = timeline.first_bar + timeline.beat_s * np.arange(4 * timeline.bar_count)
    return [
        (start + float(t) * plan.rate, chords[int(k) // 4])
        for k, t in enumerate(beats)
        if 0.0 <= t < timeline.seconds
    ]
