"""Style step cost: render a 30-s section of a 40-s song in every style, on one core.

The render pipeline must run at least 30x real time end to end (style +
mastering + encode) on one core, so the style step alone should stay near
0.5 s per 30 s of audio. The song's analysis is done once, as the pipeline
does, and reported on its own (``analysis_s``).

Usage: ``.venv/bin/python benchmarks/render_styles.py [--quick | --smoke]``
(``--smoke``: a 4-s section of an 8-s song, one timing); the last line
printed is a JSON object with ``per_style_rtf``, ``median_rtf`` and
``min_rtf`` (real-time factor = clip seconds / wall seconds), the two
factors per calibration and the machine (``benchmarks/_machine.py``).
"""

from __future__ import annotations

import os

# One core, before numpy or pedalboard load their thread pools.
for _var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
):
    os.environ[_var] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import add_run_size, emit, machine_info  # noqa: E402
from engine.analysis import SAMPLE_RATE, analyse, choose_section  # noqa: E402
from engine.styles import STYLE_RECIPES, render_style, source_seconds  # noqa: E402
from tests.support.stems import A_MINOR, song  # noqa: E402


def _limit_pools() -> None:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_size(parser, quick="one timing per style", smoke="a 4-s clip of an 8-s song, one timing")
    parser.add_argument("--seconds", type=float, default=None, help="clip length (default 30)")
    parser.add_argument("--song-seconds", type=float, default=None, help="song length (default 40)")
    args = parser.parse_args()
    _limit_pools()
    machine = machine_info()
    repeats = 1 if args.quick or args.smoke else 3
    args.seconds = args.seconds or (4.0 if args.smoke else 30.0)
    args.song_seconds = args.song_seconds or (8.0 if args.smoke else 40.0)

    stems = song(112.0, args.song_seconds, A_MINOR, seed=11)
    analyse(stems)  # warm-up: imports, FFT plans
    t0 = time.perf_counter()
    analysis = analyse(stems)
    analysis_s = time.perf_counter() - t0
    print(
        f"analysis: {analysis_s * 1000:.0f} ms for {args.song_seconds:.0f} s "
        f"({analysis.tempo_bpm:.1f} BPM, {analysis.key.name})"
    )

    per_style_s: dict[str, float] = {}
    for style_id, recipe in STYLE_RECIPES.items():
        need = min(args.song_seconds, source_seconds(recipe, args.seconds, analysis))
        start, _ = choose_section(None, need, analysis=analysis)
        section = (start, start + args.seconds)
        render_style(recipe, stems, SAMPLE_RATE, section=section, seed=1, analysis=analysis)
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            render_style(recipe, stems, SAMPLE_RATE, section=section, seed=1, analysis=analysis)
            best = min(best, time.perf_counter() - t0)
        per_style_s[style_id] = best
        print(f"{style_id:15s} {best * 1000:7.1f} ms   {args.seconds / best:7.1f}x real time")

    rtf = {k: round(args.seconds / v, 1) for k, v in per_style_s.items()}
    result = {
        "per_style_rtf": rtf,
        "median_rtf": round(statistics.median(rtf.values()), 1),
        "min_rtf": min(rtf.values()),
        "per_style_s": {k: round(v, 4) for k, v in per_style_s.items()},
        "analysis_s": round(analysis_s, 4),
        "clip_seconds": args.seconds,
        "song_seconds": args.song_seconds,
        "repeats": repeats,
        "threads": 1,
    }
    emit(result, machine, speeds=("median_rtf", "min_rtf"))


if __name__ == "__main__":
    main()
