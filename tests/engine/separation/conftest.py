"""Tiny models and short synthetic mixes for the separation tests."""

from __future__ import annotations

import threading

import numpy as np
import numpy.typing as npt
import pytest
import torch
from demucs.apply import apply_model
from demucs.pretrained import SOURCES, demucs_unittest
from torch import nn

SR = 44_100
FloatArray = npt.NDArray[np.float32]


def mix(seconds: float, seed: int = 0, channels: int = 2) -> FloatArray:
    """Two tones and a little noise: enough structure for the networks to chew on."""
    n = int(seconds * SR)
    t = np.arange(n) / SR
    rng = np.random.default_rng(seed)
    tones = [0.3 * np.sin(2 * np.pi * f * t) for f in (220.0, 330.0, 440.0)[:channels]]
    return (np.stack(tones) + rng.normal(0.0, 0.05, (channels, n))).astype(np.float32)


def demucs_reference(
    model: nn.Module, audio: FloatArray, *, overlap: float, segment: float | None
) -> FloatArray:
    """What demucs itself gives (``demucs.api.Separator.separate_tensor``, shifts=0)."""
    wav = torch.from_numpy(audio)
    ref = wav.mean(0)
    mean, std = ref.mean(), ref.std() + 1e-8
    with torch.no_grad():
        out = apply_model(
            model,
            ((wav - mean) / std)[None],
            shifts=0,
            split=True,
            overlap=overlap,
            segment=segment,
        )
    result: FloatArray = (out[0] * std + mean).numpy()
    return result


def seeded(seed: int) -> nn.Module:
    """A demucs_unittest network with reproducible random weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model: nn.Module = demucs_unittest()
    return model.eval()


@pytest.fixture(scope="session")
def tiny_model() -> nn.Module:
    """demucs' own test network (HDemucs, 4 channels): no download, fast."""
    return seeded(seed=0)


class IdentityModel(nn.Module):
    """Each "stem" is the input times a per-source gain; raises OOM above a batch size.

    Stands in for a network where only the plumbing matters: the separator
    must give back exactly ``gain × mix`` whatever the segmentation. The
    out-of-memory switches simulate a device that fits ``oom_above`` segments,
    or fails its first ``oom_calls`` calls.
    """

    def __init__(self, *, oom_above: int | None = None, oom_calls: int = 0, message: str = "") -> None:
        super().__init__()
        self.sources = list(SOURCES)
        self.samplerate = SR
        self.audio_channels = 2
        self.segment = 0.5
        self.oom_above = oom_above
        self.oom_calls = oom_calls  # the first calls fail whatever their size
        self.message = message or "CUDA out of memory. Tried to allocate 2.00 GiB"
        self.batch_sizes: list[int] = []
        self.thread_names: list[str] = []
        self.register_buffer("gains", torch.tensor([1.0, 0.5, 0.25, -1.0]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.batch_sizes.append(x.shape[0])
        self.thread_names.append(threading.current_thread().name)
        if len(self.batch_sizes) <= self.oom_calls or (
            self.oom_above is not None and x.shape[0] > self.oom_above
        ):
            raise torch.OutOfMemoryError(self.message)
        gains: torch.Tensor = self.gains
        return x[:, None] * gains[None, :, None, None]
