"""Separation speed: our batched ``Separator`` against ``demucs.apply.apply_model``.

Both run the same HTDemucs (the installed ``htdemucs`` weights from the
settings' models folder, or the released architecture with random weights
when none are installed: same compute, noise-like stems) on the same
synthetic song, on the same device, in the same process, with the same
overlap and ``shifts=0``, after one untimed warm-up segment each, in
alternating order (``--repeats``, best time kept: other processes on a
shared machine slow whichever run they overlap). Reported: each real-time
factor (audio seconds per wall second, higher is faster), their ratio, the
largest difference between the two outputs, and the SDR of our stems
against the song's true stems when real weights are installed.
``--compile`` adds a ``torch.compile``d Separator (``compiled_*`` keys and
``compile_s``, the time its first segment took).

Memory: ``peak_rss_mib`` is the peak resident memory of a process that only
loads the mix and separates it once with our Separator
(``benchmarks/_separation_rss.py``; a process's peak cannot be measured after
``apply_model`` ran in it). ``--rss-only`` skips the timed comparison, for the
10-minute run (``--seconds 600 --rss-only``: the bound is ≤ 2 GiB).

Usage: ``.venv/bin/python benchmarks/separation.py [--quick | --smoke]``; ``--quick``
separates 8 s (two segments) instead of 60 s; ``--smoke`` 1.5 s once on one thread, through the
random-weight architecture cut to 2-s segments (7.8 s released; demucs' own ``--segment`` knob).
The last line printed is a JSON object: ``device``, ``ours_rtf``, ``demucs_rtf``, ``ratio``,
``max_abs_diff``, ``sdr_db`` (null without real weights), plus ``audio_s``, ``batch_size``,
``workers``, ``precision``, ``weights``, ``threads``, both real-time factors per
calibration (null on a GPU) and the machine (``benchmarks/_machine.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from fractions import Fraction
from functools import partial
from pathlib import Path

import numpy as np
import torch
from demucs.htdemucs import HTDemucs

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from demucs.apply import apply_model

from benchmarks._machine import add_run_size, emit, machine_info
from config import RefrainSettings
from engine import SongSpec, render_song
from engine.separation import ModelWeightsMissing, Separator
from engine.separation.models import AnyModel, load_separation_model, random_htdemucs
from engine.separation.onnx_runtime import export_htdemucs

SEED = 20261128
SMOKE_SEGMENT_S = Fraction(2)


def main() -> None:
    with ExitStack() as stack:
        _main(stack)


def _main(stack: ExitStack) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_size(parser, quick="8 s of audio instead of 60 s",
                 smoke="1.5 s of audio, 2-s segments, one thread, one run each")
    parser.add_argument("--seconds", type=float, help="audio length (overrides --quick)")
    parser.add_argument("--model", default="htdemucs")
    parser.add_argument("--models-dir", type=Path, help="default: the settings' models_dir")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--batch-size", type=int, help="default: the Separator's (1 CPU, 8 CUDA)")
    parser.add_argument("--workers", type=int, help="default: the Separator's (cores on CPU)")
    parser.add_argument("--overlap", type=float, default=0.25)
    parser.add_argument(
        "--precision",
        choices=("auto", "float32", "bfloat16"),
        default="auto",
        help="our network precision (auto: bfloat16 on CUDA, float32 on CPU)",
    )
    parser.add_argument("--repeats", type=int, default=None, help="alternating runs; best kept (2)")
    parser.add_argument("--compile", action="store_true", help="also time a torch.compile'd Separator")
    parser.add_argument("--pytorch-only", action="store_true",
                        help="no ONNX Runtime export: ours is the PyTorch separator")
    parser.add_argument("--rss-only", action="store_true",
                        help="only the peak memory of our separation (no timed comparison)")
    args = parser.parse_args()
    machine = machine_info()
    seconds = args.seconds or (1.5 if args.smoke else 8.0 if args.quick else 60.0)
    repeats = args.repeats or (1 if args.smoke else 2)
    device = torch.device(args.device)
    threads = 1 if args.smoke else os.cpu_count() or 1  # one: a busy machine stalls a 2-thread pool
    torch.set_num_threads(threads)  # demucs gets every core too

    model, weights = _model(args.model, args.models_dir or RefrainSettings().models_dir)
    if args.smoke and weights == "random":
        model.segment = SMOKE_SEGMENT_S  # a quarter of the compute per segment: this checks it runs
    model.to(device)
    precision = None if args.precision == "auto" else getattr(torch, args.precision)
    folder = stack.enter_context(tempfile.TemporaryDirectory())
    onnx, export_s = _export(model, Path(folder), device) if not args.pytorch_only else (None, None)

    def separator_for(onnx: Path | None, precision: torch.dtype | None) -> Separator:
        return Separator(model, device=device, overlap=args.overlap, batch_size=args.batch_size,
                         workers=args.workers, precision=precision, threads=threads, onnx=onnx)

    separator = separator_for(onnx, precision)
    mix, true_stems = _song(seconds, separator.samplerate, separator.sources)
    memory = _peak_rss(mix, args, threads, onnx)
    print(f"our separation alone: peak RSS {memory['peak_rss_mib']:.0f} MiB "
          f"({memory['seconds']:.0f} s)", flush=True)
    if args.rss_only:
        emit({"device": str(device), "audio_s": seconds, "threads": threads, "weights": weights,
              "peak_rss_mib": memory["peak_rss_mib"]}, machine)
        return
    print(
        f"{weights} {args.model} on {device}, {seconds:.0f} s of stereo audio, {threads} threads; "
        f"ours: batch {separator.batch_size} × {separator.workers} workers, {separator.precision}, "
        f"{separator.runtime}",
        flush=True,
    )
    runs: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "demucs": lambda audio: _demucs(model, audio, args.overlap, device),
        "ours": lambda audio: _stacked(separator.separate(audio), separator.sources),
    }
    # The same run's PyTorch-only figure: on CPU our separator without the export;
    # on a GPU the other precision (bfloat16 is compared with float32 by SDR).
    if device.type == "cuda":
        other = separator_for(None, torch.float32 if separator.precision == torch.bfloat16
                              else torch.bfloat16)
        runs["other_precision"] = lambda audio: _stacked(other.separate(audio), other.sources)
    elif separator.runtime != "pytorch":
        torch_only = separator_for(None, precision)
        runs["torch"] = lambda audio: _stacked(torch_only.separate(audio), torch_only.sources)
    # One untimed segment each first: the first call of a shape is slow (allocations,
    # oneDNN primitives), and a compiled network compiles then.
    warm = mix[:, : min(mix.shape[1], 2 * separator.samplerate)]
    for run in runs.values():
        run(warm)
    compile_s = None
    if args.compile:
        compiled = Separator(
            model,
            device=device,
            overlap=args.overlap,
            batch_size=args.batch_size,
            precision=precision,
            threads=threads,
            compile=True,
        )
        runs["compiled"] = lambda audio: _stacked(compiled.separate(audio), compiled.sources)
        compile_s, _ = _timed(lambda: runs["compiled"](warm), device)
        print(f"torch.compile: {compile_s:.0f} s for the first segment", flush=True)

    best: dict[str, float] = {}
    outputs: dict[str, np.ndarray] = {}
    for repeat in range(repeats):
        for name in runs if repeat % 2 == 0 else reversed(runs):
            took, outputs[name] = _timed(partial(runs[name], mix), device)
            best[name] = min(took, best.get(name, took))
            print(f"  {name:8} {took:7.1f} s", flush=True)
    rtf = {name: seconds / took for name, took in best.items()}
    diff = {name: float(np.abs(out - outputs["demucs"]).max()) for name, out in outputs.items()}
    sdr = _sdr(true_stems, outputs["ours"]) if weights == "installed" else None
    for name in runs:
        print(
            f"{name:8}: best {best[name]:7.1f} s  rtf {rtf[name]:.3f}  "
            f"×{rtf[name] / rtf['demucs']:.3f}  max |Δ demucs| {diff[name]:.2e}"
        )
    report = {
        "device": str(device),
        "ours_rtf": round(rtf["ours"], 4),
        "demucs_rtf": round(rtf["demucs"], 4),
        "ratio": round(rtf["ours"] / rtf["demucs"], 4),
        "max_abs_diff": diff["ours"],
        "sdr_db": None if sdr is None else round(sdr, 2),
        "audio_s": seconds,
        "batch_size": separator.batch_size,
        "workers": separator.workers,
        "precision": str(separator.precision).removeprefix("torch."),
        "weights": weights,
        "threads": threads,
        "peak_rss_mib": memory["peak_rss_mib"],
        "runtime": separator.runtime,
        "export_s": None if export_s is None else round(export_s, 1),
        "torch_rtf": round(rtf.get("torch", rtf["ours"]), 4),
        "torch_ratio": round(rtf.get("torch", rtf["ours"]) / rtf["demucs"], 4),
        "torch_max_abs_diff": diff.get("torch", diff["ours"]),
    }
    if "other_precision" in outputs:
        bf16, fp32 = ((outputs["ours"], outputs["other_precision"])
                      if separator.precision == torch.bfloat16
                      else (outputs["other_precision"], outputs["ours"]))
        report |= {
            "other_precision_rtf": round(rtf["other_precision"], 4),
            "bf16_vs_fp32_sdr_db": round(_sdr(fp32, bf16), 2),
        }
    if "compiled" in rtf:
        report |= {
            "compiled_rtf": round(rtf["compiled"], 4),
            "compiled_ratio": round(rtf["compiled"] / rtf["demucs"], 4),
            "compiled_max_abs_diff": diff["compiled"],
            "compile_s": None if compile_s is None else round(compile_s, 1),
        }
    emit(report, machine, speeds=("ours_rtf", "demucs_rtf"),
         off_cpu=("ours_rtf", "demucs_rtf") if device.type != "cpu" else ())


def _export(model: AnyModel, folder: Path, device: torch.device) -> tuple[Path | None, float | None]:
    """The model exported for ONNX Runtime (CPU, single HTDemucs), and how long that took."""
    if device.type != "cpu" or not isinstance(model, HTDemucs):
        return None, None
    start = time.perf_counter()
    path = export_htdemucs(model, folder / "model.onnx")
    took = time.perf_counter() - start
    print(f"exported for ONNX Runtime in {took:.0f} s", flush=True)
    return path, took


def _peak_rss(
    mix: np.ndarray, args: argparse.Namespace, threads: int, onnx: Path | None
) -> dict[str, float]:
    """Our separation of ``mix`` in a process of its own: its peak RSS and wall time."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mix.npy"
        np.save(path, mix)
        command = [sys.executable, str(Path(__file__).with_name("_separation_rss.py")), str(path),
                   "--threads", str(threads), "--model", args.model, "--device", args.device]
        if args.models_dir:
            command += ["--models-dir", str(args.models_dir)]
        if args.smoke:
            command += ["--segment", str(float(SMOKE_SEGMENT_S))]
        if onnx is not None:
            command += ["--onnx", str(onnx)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _model(name: str, models_dir: Path) -> tuple[AnyModel, str]:
    try:
        return load_separation_model(name, models_dir), "installed"
    except ModelWeightsMissing as missing:
        print(f"{missing} Using random weights.", flush=True)
        return random_htdemucs(), "random"


def _song(seconds: float, samplerate: int, sources: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """A demo-catalog-style song: the mix and its true stems, in the model's order."""
    spec = SongSpec("Benchmark", 112.0, "A minor", ("Am", "F", "C", "G"), duration_s=seconds)
    song = render_song(spec, SEED, samplerate)
    n = int(seconds * samplerate)
    stems = np.stack([song.stems[name][:, :n] for name in sources])
    return np.ascontiguousarray(stems.sum(0), dtype=np.float32), stems.astype(np.float32)


def _demucs(model: AnyModel, mix: np.ndarray, overlap: float, device: torch.device) -> np.ndarray:
    """Exactly what ``demucs.api.Separator.separate_tensor`` does with shifts=0."""
    wav = torch.from_numpy(mix)
    ref = wav.mean(0)
    mean, std = ref.mean(), ref.std() + 1e-8
    out = apply_model(model, ((wav - mean) / std)[None], shifts=0, split=True, overlap=overlap, device=device)
    result: np.ndarray = (out[0] * std + mean).cpu().numpy()
    return result


def _timed(run: Callable[[], np.ndarray], device: torch.device) -> tuple[float, np.ndarray]:
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    result = run()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, result


def _stacked(stems: dict[str, np.ndarray], sources: tuple[str, ...]) -> np.ndarray:
    return np.stack([stems[name] for name in sources])


def _sdr(true: np.ndarray, estimate: np.ndarray) -> float:
    """Mean SDR over stems (BSSEval's simple form, as in the MDX challenge)."""
    scores = []
    for reference, guess in zip(true, estimate, strict=True):
        signal = float(np.sum(reference.astype(np.float64) ** 2)) + 1e-9
        noise = float(np.sum((reference.astype(np.float64) - guess) ** 2)) + 1e-9
        scores.append(10 * np.log10(signal / noise))
    return float(np.mean(scores))


if __name__ == "__main__":
    main()
