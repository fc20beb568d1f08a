"""Separation speed: our batched ``Separator`` against ``demucs.apply.apply_model``.

Both run the same HTDemucs (the installed ``htdemucs`` weights from the
settings' models folder, or the released architecture with random weights
when none are installed: same compute, noise-like stems) on the same
synthetic song, on the same device, in the same process, with the same
overlap and ``shifts=0``, after one untimed warm-up each. Reported: each
real-time factor (audio seconds per wall second, higher is faster), their
ratio, the largest difference between the two outputs, and the SDR of our
stems against the song's true stems when real weights are installed.

Usage: ``.venv/bin/python benchmarks/separation.py [--quick]``; ``--quick``
separates 8 s (two segments) instead of 60 s. The last line printed is a JSON object:
``device``, ``ours_rtf``, ``demucs_rtf``, ``ratio``, ``max_abs_diff``,
``sdr_db`` (null without real weights), plus ``audio_s``, ``batch_size``,
``workers``, ``precision``, ``weights`` and ``threads``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from demucs.apply import apply_model
from torch import nn

from config.settings import RefrainSettings
from core.audio.separation import ModelWeightsMissing, Separator
from core.audio.separation.models import load_separation_model, random_htdemucs
from core.audio.synth import SongSpec, render_song

SEED = 20261128


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 s of audio instead of 60 s")
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
    args = parser.parse_args()
    seconds = args.seconds or (8.0 if args.quick else 60.0)
    device = torch.device(args.device)
    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)  # demucs gets every core too

    model, weights = _model(args.model, args.models_dir or RefrainSettings().models_dir)
    model.to(device)
    precision = None if args.precision == "auto" else getattr(torch, args.precision)
    separator = Separator(
        model,
        device=device,
        overlap=args.overlap,
        shifts=0,
        batch_size=args.batch_size,
        workers=args.workers,
        precision=precision,
        threads=threads,
    )
    mix, true_stems = _song(seconds, model.samplerate, separator.sources)
    print(
        f"{weights} {args.model} on {device}, {seconds:.0f} s of stereo audio, "
        f"{threads} threads, batch {separator.batch_size} × {separator.workers} workers, {separator.precision}",
        flush=True,
    )

    warm = mix[:, : min(mix.shape[1], 2 * model.samplerate)]
    _demucs(model, warm, args.overlap, device)
    separator.separate(warm)

    demucs_s, reference = _timed(lambda: _demucs(model, mix, args.overlap, device), device)
    ours_s, stems = _timed(lambda: _stacked(separator.separate(mix), separator.sources), device)
    ours_rtf, demucs_rtf = seconds / ours_s, seconds / demucs_s
    diff = float(np.abs(stems - reference).max())
    sdr = _sdr(true_stems, stems) if weights == "installed" else None
    print(f"demucs apply_model: {demucs_s:7.1f} s  rtf {demucs_rtf:.3f}")
    print(f"ours (Separator)  : {ours_s:7.1f} s  rtf {ours_rtf:.3f}")
    print(f"ratio {ours_rtf / demucs_rtf:.3f}, max |ours - demucs| {diff:.2e}", flush=True)
    print(
        json.dumps(
            {
                "device": str(device),
                "ours_rtf": round(ours_rtf, 4),
                "demucs_rtf": round(demucs_rtf, 4),
                "ratio": round(ours_rtf / demucs_rtf, 4),
                "max_abs_diff": diff,
                "sdr_db": None if sdr is None else round(sdr, 2),
                "audio_s": seconds,
                "batch_size": separator.batch_size,
                "workers": separator.workers,
                "precision": str(separator.precision).removeprefix("torch."),
                "weights": weights,
                "threads": threads,
            }
        )
    )


def _model(name: str, models_dir: Path) -> tuple[nn.Module, str]:
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


def _demucs(model: nn.Module, mix: np.ndarray, overlap: float, device: torch.device) -> np.ndarray:
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
