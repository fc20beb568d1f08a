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

The swap is installed for a whole separation (the worker threads share it);
autocast is entered per network call, because it is thread-local.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import torch
from torch import nn

_SPECTRAL_METHODS = ("_spec", "_ispec")


class Float32Spectrograms:
    """Keeps the models' STFT/iSTFT in float32 while their layers run in ``dtype``.

    The wrappers are made once and the same objects are installed for every
    separation, so a ``torch.compile``d model sees an unchanged module and
    does not recompile.
    """

    def __init__(self, models: Sequence[nn.Module], device: torch.device, dtype: torch.dtype):
        self._wrappers: list[tuple[nn.Module, str, Callable[..., Any]]] = []
        if dtype == torch.float32:
            return
        for model in models:
            for method in _SPECTRAL_METHODS:
                original = getattr(model, method, None)
                if callable(original):
                    self._wrappers.append((model, method, _in_float32(original, device.type)))

    @contextmanager
    def installed(self) -> Iterator[None]:
        """The wrappers in place: an instance attribute shadows the class method."""
        try:
            for model, method, wrapper in self._wrappers:
                object.__setattr__(model, method, wrapper)
            yield
        finally:
            for model, method, _ in self._wrappers:
                if method in vars(model):
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
