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

The swap is installed once per separation (it is shared by the worker
threads); autocast is entered per network call, because it is thread-local.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import torch
from torch import nn

_SPECTRAL_METHODS = ("_spec", "_ispec")


@contextmanager
def float32_spectrograms(
    models: Sequence[nn.Module], device: torch.device, dtype: torch.dtype
) -> Iterator[None]:
    """Keep the models' STFT/iSTFT in float32 while their layers run in ``dtype``."""
    patched: list[tuple[nn.Module, str]] = []
    try:
        if dtype != torch.float32:
            for model in models:
                for method in _SPECTRAL_METHODS:
                    original = getattr(model, method, None)
                    if callable(original):
                        # An instance attribute shadows the class method until removed.
                        object.__setattr__(model, method, _in_float32(original, device.type))
                        patched.append((model, method))
        yield
    finally:
        for model, method in patched:
            object.__delattr__(model, method)


def layer_precision(device: torch.device, dtype: torch.dtype) -> AbstractContextManager[Any]:
    """Autocast for one network call in this thread (nothing to do for float32)."""
    if dtype == torch.float32:
        return nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def _in_float32(method: Callable[..., Any], device_type: str) -> Callable[..., Any]:
    def run(x: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
        with torch.autocast(device_type=device_type, enabled=False):
            widened = x.to(torch.complex64) if x.is_complex() else x.float()
            return method(widened, *args, **kwargs)

    return run
