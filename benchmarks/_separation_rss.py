"""Peak memory of one separation, in a process of its own (``benchmarks/separation.py`` runs it).

A process's peak resident set only grows, so the separation benchmark cannot
measure ours after ``apply_model`` (or after synthesising the song) in the
same process: this script loads the mix from a ``.npy`` file, separates it
once with our ``Separator`` and prints ``{"peak_rss_mib": …, "seconds": …}``.

Usage: ``python benchmarks/_separation_rss.py MIX.npy --threads N [--segment S] [--model M] [--onnx F]``
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config import RefrainSettings
from engine.separation import ModelWeightsMissing, Separator
from engine.separation.models import load_separation_model, random_htdemucs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mix", type=Path)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--segment", type=float, help="seconds per segment (smoke runs)")
    parser.add_argument("--model", default="htdemucs")
    parser.add_argument("--models-dir", type=Path)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--onnx", type=Path, help="an ONNX Runtime export of the model")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    try:
        model = load_separation_model(args.model, args.models_dir or RefrainSettings().models_dir)
    except ModelWeightsMissing:
        model = random_htdemucs()
    if args.segment:
        model.segment = Fraction(args.segment)
    separator = Separator(model, device=args.device, threads=args.threads, onnx=args.onnx)
    mix = np.load(args.mix)
    start = time.perf_counter()
    stems = separator.separate(mix)
    took = time.perf_counter() - start
    assert all(stem.shape == mix.shape for stem in stems.values())
    print(json.dumps({"peak_rss_mib": round(_peak_kib() / 1024, 1), "seconds": round(took, 1),
                      "runtime": separator.runtime}))


def _peak_kib() -> int:
    """This process's own peak RSS: ``VmHWM``, not ``ru_maxrss``.

    Linux carries ``ru_maxrss`` across ``exec`` from the forked copy of the
    parent, so a child of a benchmark that had synthesised a 10-minute song
    reported the parent's 3.7 GB; ``VmHWM`` belongs to this program's memory.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux


if __name__ == "__main__":
    main()
