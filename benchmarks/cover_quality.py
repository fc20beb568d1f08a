"""Cover quality against ground truth: does the cover still play *the* song?

The demo catalog knows its true notes and chords (``engine.synth`` records
what its singer sang and which chord each bar holds), so each song × style
is measured against the truth, and the medians over the catalog are printed:

``transcription_f1``
    Basic Pitch's notes of each demo vocal stem vs the true melody
    (``mir_eval`` note F-measure: onsets within 50 ms, pitch within 50 cents,
    offsets ignored). Per song, not per style: it says how well the
    transcriber hears the singer.
``melody_f1``
    the cover's melody (its lead and its vocal, rendered alone through the
    style's tempo and chains and transcribed the same way, pitch bends
    included) vs the true melody moved to the clip's time and tuning, for
    every style that keeps the melody.
``chord_accuracy``
    the chord the arrangement's generated parts play on each beat (root and
    quality) vs the true chord sounding over that beat, for every style that
    generates harmony or bass.
``key_match``
    share of covers arranged in the song's true key: the key the generated
    parts play in (the score's, else the analysis').
``tempo_error``
    median relative error of the rendered clip's estimated tempo (octave
    errors folded: double and half time are the estimator's ambiguity)
    against the tempo the style intends.
``mix_only_melody_f1``
    the melody of the score a song given only as a mix yields (Basic Pitch on
    the mix, its top line above the bass register) vs the true melody.

Run: .venv/bin/python benchmarks/cover_quality.py [--quick | --smoke] [--no-score]
(``--quick``: three songs, 12-s clips; ``--smoke``: one 10-s song, two styles, 4-s clips.)
Last line: {"transcription_f1": …, "melody_f1": …, "chord_accuracy": …, "key_match": …,
"tempo_error": …, "mix_only_melody_f1": …, "per_style": {…}} and the machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import statistics
import sys
from pathlib import Path
from typing import Any

import mir_eval
import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import add_run_size, emit, machine_info
from core.catalog import DemoSong, demo_catalog
from engine.analysis import SAMPLE_RATE, Analysis, analyse, choose_section
from engine.styles import (
    STYLE_RECIPES,
    StyleRecipe,
    arrangement_chords,
    following,
    render_style,
    source_seconds,
    tempo_plan,
)
from engine.synth import SongSpec, SongStems, SungNote, parse_chord, render_song
from engine.transcription import Note, Score, score_stems, transcribe

SR = SAMPLE_RATE
MELODY_PARTS = ("vocals", "lead")
_TONAL_GENERATORS = frozenset({"saw_arp", "pulse_bass", "chip_arp", "guitar_strum", "pluck_bass",
                               "pad", "reese_bass"})


@dataclasses.dataclass(frozen=True)
class Song:
    demo: DemoSong
    rendered: SongStems
    analysis: Analysis
    score: Score | None


def _hz(midi: npt.ArrayLike) -> npt.NDArray[np.float64]:
    return np.asarray(440.0 * 2.0 ** ((np.asarray(midi, dtype=np.float64) - 69.0) / 12.0))


def note_f1(truth: list[tuple[float, float, float]], heard: list[Note]) -> float:
    """mir_eval's note F-measure (50-ms onsets, 50 cents, no offsets); truth is (start, end, hz)."""
    if not truth:
        return float("nan")
    if not heard:
        return 0.0
    ref_iv = np.array([[s, max(e, s + 1e-3)] for s, e, _ in truth])
    ref_hz = np.array([hz for *_, hz in truth])
    est_iv = np.array([[n.start, max(n.end, n.start + 1e-3)] for n in heard])
    est_hz = _hz([n.pitch for n in heard])
    _, _, f1, _ = mir_eval.transcription.precision_recall_f1_overlap(
        ref_iv, ref_hz, est_iv, est_hz, onset_tolerance=0.05, pitch_tolerance=50.0,
        offset_ratio=None)
    return float(f1)


def _truth(notes: tuple[SungNote, ...], *, start: float = 0.0, end: float = math.inf,
           rate: float = 1.0, tuning: float = 1.0) -> list[tuple[float, float, float]]:
    """The true melody inside song time [start, end), in clip time and the clip's tuning."""
    return [((n.start_s - start) / rate, (n.start_s + n.seconds - start) / rate,
             float(_hz(n.midi)) * tuning)
            for n in notes if start <= n.start_s and n.start_s + 0.05 < end]



def _melody_only(recipe: StyleRecipe) -> StyleRecipe | None:
    """The recipe with everything but its melody parts silenced; None when it has none."""
    parts = {*recipe.stem_gains, *recipe.replacements, *recipe.layers,
             "drums", "bass", "other", "vocals"}
    gains = {p: (recipe.gain(p) if p in MELODY_PARTS else 0.0) for p in parts}
    if not any(gains[p] > 0 for p in MELODY_PARTS if p in gains):
        return None
    return dataclasses.replace(recipe, stem_gains=gains)


def _harmonic(recipe: StyleRecipe) -> bool:
    specs = (*recipe.replacements.values(), *recipe.layers.values())
    return any(spec.kind in _TONAL_GENERATORS for spec in specs)


def _true_chord(song: Song, t: float) -> tuple[int, bool]:
    name = song.rendered.chords[0][1]
    for bar_start, chord in song.rendered.chords:
        if bar_start > t + 1e-9:
            break
        name = chord
    return parse_chord(name)


def _key_of(name: str) -> tuple[int, bool]:
    tonic, mode = name.split()
    root, _ = parse_chord(tonic)
    return root, mode.startswith("min")


def measure(song: Song, style_id: str, clip_s: float) -> dict[str, float]:
    """One cover's figures: melody F1, chord accuracy, key match, tempo error (NaN: n/a)."""
    recipe = STYLE_RECIPES[style_id]
    stems = song.rendered.stem_audio()
    start, _ = choose_section(None, source_seconds(recipe, clip_s, song.analysis),
                              analysis=song.analysis)
    section = (start, start + clip_s)
    plan = tempo_plan(recipe, song.analysis)
    clip = render_style(recipe, stems, SR, section=section, seed=1, analysis=song.analysis,
                        score=song.score)
    out: dict[str, float] = {"melody_f1": math.nan, "chord_accuracy": math.nan}
    melody_recipe = _melody_only(recipe)
    if melody_recipe is not None:
        alone = render_style(melody_recipe, stems, SR, section=section, seed=1,
                             analysis=song.analysis, score=song.score)
        truth = _truth(song.rendered.melody, start=start, end=start + clip_s * plan.rate,
                       rate=plan.rate, tuning=plan.tuning)
        out["melody_f1"] = note_f1(truth, transcribe(alone, SR))
    if _harmonic(recipe):
        played = arrangement_chords(recipe, song.analysis, section, score=song.score)
        # The chord sounding over each beat: read half a beat in, so a grid a few
        # milliseconds early does not read the bar line as the previous bar.
        half_beat = 30.0 / song.analysis.tempo_bpm
        hits = [(c.root, c.minor) == _true_chord(song, song_t + half_beat)
                for song_t, c in played]
        out["chord_accuracy"] = sum(hits) / len(hits) if hits else math.nan
    key = following(song.analysis, song.score).key
    out["key_match"] = float((key.tonic, key.minor) == _key_of(song.demo.key))
    out["tempo_error"] = octave_folded_error(analyse(clip, SR).tempo_bpm, plan.bpm)
    return out


def octave_folded_error(heard_bpm: float, intended_bpm: float) -> float:
    """Relative tempo error after moving ``heard_bpm`` by octaves next to ``intended_bpm``.

    A 12-s clip cannot say whether its pulse is 92 or 184 BPM (a sixteenth
    arpeggio reads as double time), which is the estimator's ambiguity, not
    a cover at the wrong speed; any other ratio counts in full.
    """
    ratio = heard_bpm / intended_bpm
    while ratio > math.sqrt(2.0):
        ratio /= 2.0
    while ratio < 1.0 / math.sqrt(2.0):
        ratio *= 2.0
    return abs(ratio - 1.0)


def _median(values: list[float]) -> float | None:
    kept = [v for v in values if not math.isnan(v)]
    return round(statistics.median(kept), 3) if kept else None


def load(demo: DemoSong, seconds: float, *, scored: bool = True) -> Song:
    rendered = render_song(SongSpec(demo.title, demo.tempo_bpm, demo.key, demo.progression,
                                    seconds), demo.seed)
    stems = rendered.stem_audio()
    return Song(demo, rendered, analyse(stems, SR), score_stems(stems, SR) if scored else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_size(parser, quick="three songs, 12-s clips", smoke="one 10-s song, two styles, 4-s clips")
    parser.add_argument("--no-score", action="store_true",
                        help="styles as before scores: the analysis' chords and key, the traced "
                             "lead, and no melody from a plain mix (the 'before' figures)")
    args = parser.parse_args()
    machine = machine_info()
    catalog = demo_catalog()
    durations = {r.id: r.duration_s for r in catalog.batch.recordings}
    songs = catalog.songs[:1] if args.smoke else catalog.songs[:3] if args.quick else catalog.songs
    styles = ["8-bit", "acoustic"] if args.smoke else sorted(STYLE_RECIPES)
    clip_s = 4.0 if args.smoke else 12.0 if args.quick else 20.0
    song_s = 10.0 if args.smoke else None

    transcription, mix_only = [], []
    rows: dict[str, dict[str, list[float]]] = {s: {} for s in styles}
    for demo in songs:
        song = load(demo, song_s or durations[demo.recording_id], scored=not args.no_score)
        truth = _truth(song.rendered.melody)
        transcription.append(note_f1(truth, transcribe(song.rendered.stems["vocals"], SR)))
        mix_only.append(math.nan if args.no_score else
                        note_f1(truth, list(score_stems({"mix": song.rendered.mix()}, SR).melody)))
        print(f"{demo.title:24} transcription F1 {transcription[-1]:.3f}  "
              f"mix-only melody F1 {mix_only[-1]:.3f}", flush=True)
        for style_id in styles:
            for key, value in measure(song, style_id, clip_s).items():
                rows[style_id].setdefault(key, []).append(value)

    keys = ("melody_f1", "chord_accuracy", "key_match", "tempo_error")
    per_style = {s: {k: _median(v.get(k, [])) for k in keys} for s, v in rows.items()}
    print(f"\n{'style':16} " + " ".join(f"{k:>15}" for k in keys))
    for style_id, figures in per_style.items():
        cells = " ".join(f"{'n/a' if figures[k] is None else figures[k]:>15}" for k in keys)
        print(f"{style_id:16} {cells}")

    def overall(key: str, reduce: Any = statistics.median) -> float | None:
        values = [v for row in rows.values() for v in row.get(key, []) if not math.isnan(v)]
        return round(float(reduce(values)), 3) if values else None

    emit({
        "transcription_f1": _median(transcription),
        "melody_f1": overall("melody_f1"),
        "chord_accuracy": overall("chord_accuracy"),
        "key_match": overall("key_match", statistics.mean),
        "tempo_error": overall("tempo_error"),
        "mix_only_melody_f1": _median(mix_only),
        "per_style": per_style,
        "songs": len(songs),
        "clip_s": clip_s,
    }, machine)


if __name__ == "__main__":
    main()
