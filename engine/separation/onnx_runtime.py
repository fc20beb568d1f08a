"""HTDemucs through ONNX Runtime on CPU: exported once per model file, PyTorch as the fallback.

The network between the spectrogram and the inverse STFT (``_htdemucs_core``)
is exported to ``<models_dir>/<name>.onnx`` by ``refrain models install``,
with ``<name>.onnx.json`` saying which weights, segment length and torch
version it was made from. A separator loads it only when all three match
the model it runs; otherwise (missing, stale, a bag of models, no
onnxruntime) it runs the PyTorch network and the log says why. The STFT,
its inverse, and demucs' segmenting, overlap and weighting stay in torch
and in ``Separator``, so the stems match ``apply_model``'s to float rounding.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from demucs.htdemucs import HTDemucs

from engine.separation._htdemucs_core import HTDemucsCore, spectrogram, waveform

log = logging.getLogger(__name__)

EXPORT_SUFFIX = ".onnx"
_OPSET = 17


def weights_digest(model: torch.nn.Module) -> str:
    """What the export depends on: every weight's name and bytes."""
    digest = hashlib.sha256()
    for key, tensor in sorted(model.state_dict().items()):
        digest.update(key.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


def _identity(model: HTDemucs) -> dict[str, Any]:
    return {
        "weights": weights_digest(model),
        "segment_samples": int(model.segment * model.samplerate),
        "torch": torch.__version__,
    }


def export_path(models_dir: Path, name: str) -> Path:
    return models_dir / f"{name}{EXPORT_SUFFIX}"


def export_htdemucs(model: HTDemucs, path: Path) -> Path:
    """Export ``model``'s core to ``path`` (atomically), with its identity beside it."""
    model = model.eval().cpu()
    n = int(model.segment * model.samplerate)
    with torch.inference_mode():
        mix, _, mag = spectrogram(model, torch.zeros(1, model.audio_channels, n))
    partial = path.with_name(f".{path.name}.partial")
    with torch.no_grad(), warnings.catch_warnings():
        # The TorchScript exporter on purpose (it warns that it is deprecated): the
        # torch.export one needs onnxscript and its dependencies for the same graph.
        # Tracing also warns about demucs' shape asserts (true for the one segment
        # length exported) and slices it cannot constant-fold; the test checks the result.
        warnings.simplefilter("ignore")
        fastpath = torch.backends.mha.get_fastpath_enabled()
        torch.backends.mha.set_fastpath_enabled(False)  # its fused kernel has no ONNX form
        try:
            torch.onnx.export(
                HTDemucsCore(model).eval(), (mix, mag), str(partial), dynamo=False,
                opset_version=_OPSET, input_names=["mix", "mag"], output_names=["x", "xt"],
            )
        finally:
            torch.backends.mha.set_fastpath_enabled(fastpath)
    os.replace(partial, path)
    path.with_name(path.name + ".json").write_text(json.dumps(_identity(model), sort_keys=True))
    return path


def export_for_onnx_runtime(name: str, models_dir: Path) -> Path | None:
    """Export model ``name`` of ``models_dir`` beside its weights; ``None`` when not a single HTDemucs.

    Raises:
        SeparationError: the model's files are missing or invalid.
    """
    from engine.separation.models import load_separation_model

    model = load_separation_model(name, models_dir)
    if not isinstance(model, HTDemucs):
        return None
    return export_htdemucs(model, export_path(models_dir, name))


def onnx_network(
    model: torch.nn.Module, path: Path, threads: int
) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """``model`` as ONNX Runtime runs it from ``path``, or ``None`` (and why, in the log)."""
    reason = _unusable(model, path)
    if reason is not None:
        log.warning("separation runs on PyTorch: %s", reason)
        return None
    assert isinstance(model, HTDemucs)
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Without these ONNX Runtime keeps every activation it ever allocated (an arena,
    # and a pre-planned block per run): 10 GB peak for 20 s of audio, measured.
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    log.info("separation runs on ONNX Runtime (%s)", path.name)
    return _OnnxHTDemucs(model, session)


def _unusable(model: torch.nn.Module, path: Path) -> str | None:
    if not isinstance(model, HTDemucs):
        return f"only a single HTDemucs is exported, not a {type(model).__name__}"
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return "onnxruntime is not installed"
    if not path.exists():
        return f"no export at {path} (`refrain models install` makes it)"
    try:
        made_from = json.loads(path.with_name(path.name + ".json").read_text())
    except (OSError, ValueError):
        return f"the export at {path} says nothing of what it was made from: export it again"
    if made_from != _identity(model):
        return f"the export at {path} is stale (other weights, segment or torch): export it again"
    return None


class _OnnxHTDemucs:
    """Callable like the network: ``(batch, channels, n)`` → ``(batch, sources, channels, n)``."""

    def __init__(self, model: HTDemucs, session: Any) -> None:
        self._model = model
        self._session = session

    def __call__(self, mix: torch.Tensor) -> torch.Tensor:
        length = mix.shape[-1]
        padded, z, mag = spectrogram(self._model, mix)
        outs = [
            self._session.run(None, {"mix": padded[i : i + 1].numpy(), "mag": mag[i : i + 1].numpy()})
            for i in range(mix.shape[0])  # exported for one segment at a time
        ]
        x = torch.cat([torch.from_numpy(o[0]) for o in outs])
        xt = torch.cat([torch.from_numpy(o[1]) for o in outs])
        return waveform(self._model, z, x, xt, length)
