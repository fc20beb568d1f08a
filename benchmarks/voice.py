"""Voice conversion: speed of each backend on one CPU core, and the quality of a demo voice cover.

The source is the sung lead of the demo song *Golden Hour* (its true vocal
stem, from the formant synthesizer); the target is the demo voice Ada Nova,
learnt from its own synthetic reference singing. Measured:

* ``world_rtf_1core``: seconds of vocal converted per wall second by the
  ``world`` backend, pinned to one CPU core (best of the repeats);
* ``neural_rtf``: the same for the ``torchscript`` backend running a small
  random model of the declared interface (``engine.voice.tiny_model``)
  on ``device`` (cuda when present, else one CPU core) — plumbing speed, not a
  trained voice;
* ``similarity_target`` / ``similarity_source``: cosine similarity of the
  converted vocal's MFCC-statistics embedding (mean and std of MFCC 1–19,
  ``engine.voice.metrics``) to Ada's reference and to the source vocal;
  ``similarity_source_before`` is the source's similarity to Ada before
  conversion;
* ``f0_error_cents``: median absolute pitch error of the converted vocal
  (harvest) against the intended melody (the source's F0, harvest, moved by
  the conversion's transposition), over frames voiced in both.

Usage: ``.venv/bin/python benchmarks/voice.py [--quick | --smoke]``
(``--quick``: 8 s instead of 30 s, one repeat; ``--smoke``: 2 s). The last
line printed is a JSON object, with both real-time factors per calibration and
the machine (``benchmarks/_machine.py``).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import add_run_size, emit, machine_info
from core.catalog import ACTIVE_VOICE_ID, demo_catalog
from engine import SongSpec, render_song
from engine.voice import converter, demo_profile
from engine.voice.analysis import mono, track_f0
from engine.voice.metrics import embedding, f0_error_cents, similarity
from engine.voice.world import WorldConverter

SR = 44_100
T = TypeVar("T")


def _one_core() -> int:
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def _source(seconds: float) -> np.ndarray:
    song = next(s for s in demo_catalog().songs if s.title == "Golden Hour")
    stems = render_song(SongSpec(song.title, song.tempo_bpm, song.key, song.progression), song.seed)
    start = int(4.0 * SR)  # past the intro, where the singing starts
    return stems.stems["vocals"][:, start : start + int(seconds * SR)]


def _timed(run: Callable[[], T], repeats: int) -> tuple[float, T]:
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - began)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_size(parser, quick="8 s of vocal, one repeat", smoke="2 s of vocal, one repeat")
    args = parser.parse_args()
    machine = machine_info()
    seconds, repeats = (2.0, 1) if args.smoke else (8.0, 1) if args.quick else (30.0, 2)
    cpu = _one_core()
    import torch

    torch.set_num_threads(1)
    vocal = _source(seconds)
    target = demo_profile(ACTIVE_VOICE_ID)
    world = WorldConverter()
    wall, out = _timed(lambda: world.convert_with_report(vocal, SR, target), repeats)
    sung, report = out
    source_embedding = embedding([vocal], SR)
    heard = embedding([sung], SR)
    intended = track_f0(mono(vocal), SR, "harvest") * 2.0 ** (report.pitch.semitones / 12.0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    with tempfile.TemporaryDirectory() as folder:
        from engine.voice.tiny_model import save_tiny_voice

        neural = converter("torchscript", model_path=save_tiny_voice(Path(folder) / "tiny.pt"),
                           device=device)
        neural.convert(vocal[:, : SR * 2], SR, target)  # warm-up (CUDA context, kernels)
        neural_wall, _ = _timed(lambda: neural.convert(vocal, SR, target), repeats)
    result = {
        "audio_s": seconds,
        "cpu": cpu,
        "voice": ACTIVE_VOICE_ID,
        "octave_shift": report.pitch.octave_shift,
        "warp": round(report.warp, 3),
        "similarity_source_before": round(similarity(source_embedding, target.embedding), 4),
        "world_rtf_1core": round(seconds / wall, 2),
        "neural_rtf": round(seconds / neural_wall, 2),
        "device": device,
        "similarity_target": round(similarity(heard, target.embedding), 4),
        "similarity_source": round(similarity(heard, source_embedding), 4),
        "f0_error_cents": round(f0_error_cents(sung, SR, intended), 1),
    }
    emit(result, machine, speeds=("world_rtf_1core", "neural_rtf"),
         off_cpu=("neural_rtf",) if device != "cpu" else ())


if __name__ == "__main__":
    main()
