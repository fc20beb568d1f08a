"""Stems from a mix: demucs models from local files, batched separation, a stem cache.

The cache, index and errors import no torch, so the render job can look up
stems without loading the model code; ``Separator`` and the model loaders
(which import torch and demucs) are loaded on first use.

Public surface:
    load_separation_model, install_model_files, random_htdemucs  (models)
    Separator                                                    (separator)
    export_for_onnx_runtime, export_path                         (onnx_runtime)
    stem_cache_key, StemCache, StemSet                           (cache)
    StemIndex, StemIndexEntry, InMemoryStemIndex                 (index)
    ModelWeightsMissing, ModelFilesInvalid, SeparationOutOfMemory, SeparationError
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from engine.separation.cache import StemCache, StemSet, stem_cache_key
from engine.separation.errors import (
    ModelFilesInvalid,
    ModelWeightsMissing,
    SeparationError,
    SeparationOutOfMemory,
)
from engine.separation.index import InMemoryStemIndex, StemIndex, StemIndexEntry

if TYPE_CHECKING:
    from engine.separation.models import (
        install_model_files,
        load_separation_model,
        random_htdemucs,
    )
    from engine.separation.onnx_runtime import export_for_onnx_runtime, export_path
    from engine.separation.separator import Separator

_LAZY = {
    "install_model_files": "engine.separation.models",
    "load_separation_model": "engine.separation.models",
    "random_htdemucs": "engine.separation.models",
    "Separator": "engine.separation.separator",
    "export_for_onnx_runtime": "engine.separation.onnx_runtime",
    "export_path": "engine.separation.onnx_runtime",
}

__all__ = [
    "InMemoryStemIndex",
    "ModelFilesInvalid",
    "ModelWeightsMissing",
    "SeparationError",
    "SeparationOutOfMemory",
    "Separator",
    "StemCache",
    "StemIndex",
    "StemIndexEntry",
    "StemSet",
    "export_for_onnx_runtime",
    "export_path",
    "install_model_files",
    "load_separation_model",
    "random_htdemucs",
    "stem_cache_key",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
