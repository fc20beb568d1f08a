"""End-to-end render speed: every style on one CPU core, and submit→file on the embedded queue.

Part 1 pins the process to one core (and BLAS/ffmpeg to one thread) and
renders a 30-s clip of a synthesized 40-s song from its cached stems in every
style: style + mastering + Opus encode, exactly what a worker does. Part 2
runs the real embedded queue (SQLite, console adapter, render job) and times
each request from submit to the delivered file.

Run: .venv/bin/python benchmarks/render.py [--quick | --smoke]
(``--smoke``: a 4-s clip of an 8-s song, one request.)
Last line: {"median_rtf_1core": …, "min_rtf_1core": …, "median_submit_to_file_s": …,
"p95_submit_to_file_s": …, "per_style": {…}},
the real-time factors per calibration and the machine (benchmarks/_machine.py).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import asyncio  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import add_run_size, emit, machine_info  # noqa: E402
from core.stylebook import STYLES  # noqa: E402
from engine.encode import ClipTags, EncodeFormat  # noqa: E402
from engine.io import write_audio  # noqa: E402
from engine.render import render_clip_files  # noqa: E402
from engine.synth import SongSpec, render_song  # noqa: E402

CLIP_S, SONG_S = 30.0, 40.0
SMOKE_CLIP_S, SMOKE_SONG_S = 4.0, 8.0


def style_speed(workdir: Path, repeats: int, clip_s: float, song_s: float) -> dict[str, float]:
    """Real-time factor per style (median of ``repeats``), one core."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    song = render_song(SongSpec("Bench", 100, "A minor", ("Am", "F", "C", "G"), song_s), 11)
    paths = {}
    for name, audio in song.stems.items():
        paths[name] = workdir / f"{name}.flac"
        write_audio(paths[name], audio)
    tags = ClipTags("Bench", "Bench", "bench", "bench", 1)
    # "cached stems": the first render of a recording decodes and analyses them once,
    # and the first in a style that plays the song's notes transcribes its score once
    render_clip_files(paths, "original", clip_s, 0, EncodeFormat.OPUS, workdir / "warm.ogg", tags)
    render_clip_files(paths, "8-bit", clip_s, 0, EncodeFormat.OPUS, workdir / "warm-score.ogg", tags)
    rtf: dict[str, float] = {}
    for style in STYLES:
        times = []
        for n in range(repeats):
            started = time.perf_counter()
            render_clip_files(paths, style, clip_s, n, EncodeFormat.OPUS,
                              workdir / f"{style}-{n}.ogg", tags)
            times.append(time.perf_counter() - started)
        rtf[style] = round(clip_s / statistics.median(times), 1)
        print(f"{style:16} {statistics.median(times) * 1000:7.0f} ms  {rtf[style]:6.1f}x real time",
              flush=True)
    return rtf


async def submit_to_file(workdir: Path, requests: int) -> list[float]:
    """Seconds from submit to a delivered (watermarked, encoded) file, one at a time, embedded queue."""
    from config import RefrainSettings
    from core.ports import JobEventKind
    from refrain.app import open_app
    from tests.support.rendering import build_render_world, fan

    world = await build_render_world(workdir)
    settings: RefrainSettings = world.settings.model_copy(update={"workers": 1})
    latencies = []
    async with open_app(settings, run_jobs=True) as app:
        assert app.events is not None
        users = [await fan(app, f"bench{n}") for n in range(requests)]
        styles = [s for s in STYLES if s != "original"]
        for n, user in enumerate(users):
            async with app.events.subscribe() as events:
                started = time.perf_counter()
                reply = (await user.send(
                    f'cover "{world.song}" style:{styles[n % len(styles)]} length:10'
                ))[0]
                assert reply.request_id, reply.text
                while True:
                    event = await asyncio.wait_for(events.get(), timeout=120)
                    if event.request_id == reply.request_id and event.kind in (
                        JobEventKind.DELIVERED, JobEventKind.FAILED
                    ):
                        break
                assert event.kind is JobEventKind.DELIVERED and event.clip_id, event.message
                request = await app.stores.requests.get(reply.request_id)
                assert request is not None
                # what an adapter does next: take the requester's own copy, which the job
                # marked, encoded and recorded before it charged them
                delivered = await app.deliveries.handover(request)
                assert delivered.path.stat().st_size > 0
                latencies.append(time.perf_counter() - started)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_size(parser, quick="fewer repeats and requests",
                 smoke=f"a {SMOKE_CLIP_S:g}-s clip of an {SMOKE_SONG_S:g}-s song, one request")
    args = parser.parse_args()
    machine = machine_info()
    clip_s, song_s = (SMOKE_CLIP_S, SMOKE_SONG_S) if args.smoke else (CLIP_S, SONG_S)
    repeats, requests = (1, 1) if args.smoke else (1, 4) if args.quick else (3, 20)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        per_style = style_speed(workdir, repeats, clip_s, song_s)
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
        latencies = asyncio.run(submit_to_file(workdir / "queue", requests))
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    values = list(per_style.values())
    print(f"submit→file: median {statistics.median(latencies):.2f} s, p95 {p95:.2f} s "
          f"over {len(latencies)} requests of 10 s")
    emit({
        "median_rtf_1core": round(statistics.median(values), 1),
        "min_rtf_1core": round(min(values), 1),
        "median_submit_to_file_s": round(statistics.median(latencies), 2),
        "p95_submit_to_file_s": round(p95, 2),
        "per_style": per_style,
        "clip_s": clip_s,
        "target_rtf": 30,
        "target_p95_s": 2,
    }, machine, speeds=("median_rtf_1core", "min_rtf_1core"))


if __name__ == "__main__":
    main()
