"""One interface for every conversion backend, and how a backend is chosen by name."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from engine.voice.errors import VoiceBackendUnavailable
from engine.voice.profile import VoiceProfile

BACKENDS = ("world", "torchscript", "onnx")


class VoiceConverter(Protocol):
    """Sings ``vocal_stem`` (mono or (channels, samples), float) in the ``target`` voice.

    Contract every backend keeps: the output has the input's shape (so it stays
    aligned with the instrumental to the sample), silence stays silence, and
    the melody is kept, moved by ``key_shift_semitones`` (plus whole octaves
    where the backend fits the line to the target's register).
    """

    name: str

    def convert(
        self,
        vocal_stem: npt.NDArray[np.floating],
        sr: int,
        target: VoiceProfile,
        *,
        key_shift_semitones: float = 0.0,
    ) -> npt.NDArray[np.float32]: ...


def converter(name: str = "world", *, model_path: Path | None = None, device: str = "auto") -> VoiceConverter:
    """The backend called ``name``; neural ones load ``model_path`` (a file in the models folder)."""
    if name == "world":
        from engine.voice.world import WorldConverter

        return WorldConverter()
    if name in ("torchscript", "onnx"):
        from engine.voice.neural import NeuralConverter

        if model_path is None:
            raise VoiceBackendUnavailable(f"the {name} voice backend needs a model file")
        return NeuralConverter(model_path, kind=name, device=device)
    raise VoiceBackendUnavailable(f"unknown voice backend {name!r}; choose one of {', '.join(BACKENDS)}")
