"""bfloat16 for the network, float32 for the spectrograms.

Hybrid demucs computes its STFT and inverse STFT inside ``forward``. Under a
plain ``torch.autocast`` those would run on half-precision inputs (or fail:
there are no bfloat16 complex numbers), and the iSTFT's overlap-add is where
rounding hurts most. So while the network runs under autocast, the model's
``_spec`` and ``_ispec`` are swapped for versions that leave autocast and cast
back to float32. The rest of ``forward`` is already safe: the input
normalisation reads the float32 spectrogram, and the de-normalisation
multiplies the network's bfloat16 output by float32 statistics, which
promotes the result to float32 before the complex mask and iSTFT.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import torch
from torch import nn

_SPECTRAL_METHODS = ("_spec", "_ispec")


@contextmanager
def network_precision(
    models: list[nn.Module], device: torch.device, dtype: torch.dtype
) -> Iterator[None]:
    """Run the models' layers in ``dtype`` and their STFT/iSTFT in float32."""
    if dtype == torch.float32:
        with nullcontext():
            yield
        return
    patched: list[tuple[nn.Module, str]] = []
    try:
        for model in models:
            for method in _SPECTRAL_METHODS:
                original = getattr(model, method, None)
                if callable(original):
                    # An instance attribute shadows the class method for this call only.
                    object.__setattr__(model, method, _in_float32(original, device.type))
                    patched.append((model, method))
        with torch.autocast(device_type=device.type, dtype=dtype):
            yield
    finally:
        for model, method in patched:
            object.__delattr__(model, method)


def _in_float32(method: Callable[..., Any], device_type: str) -> Callable[..., Any]:
    def run(x: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
        with torch.autocast(device_type=device_type, enabled=False):
            widened = x.to(torch.complex64) if x.is_complex() else x.float()
            return method(widened, *args, **kwargs)

    return run
