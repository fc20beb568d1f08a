"""A small model of the neural backend's declared interface, with random weights.

No trained voice model can be downloaded here, so the tests and the benchmark
build this one: content features and F0 in, waveform out, like an RVC
generator — a neural source-filter sketch where a sine at the given F0 is
shaped by a learnable (here random) function of the features. It proves the
plumbing (loading, shapes, pitch, speed on the device), not any voice.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn


class TinyVoice(nn.Module):
    def __init__(self, sample_rate: int = 44_100, hop_length: int = 441, feature_dim: int = 40,
                 width: int = 64) -> None:
        super().__init__()
        self.sample_rate = sample_rate
        self.hop_length = hop_length
        self.feature_dim = feature_dim
        self.encode = nn.Sequential(
            nn.Conv1d(feature_dim + 1, width, 5, padding=2), nn.Tanh(),
            nn.Conv1d(width, width, 5, padding=2), nn.Tanh(),
        )
        self.upsample = nn.ConvTranspose1d(width, 1, kernel_size=hop_length, stride=hop_length)

    def forward(self, features: torch.Tensor, f0: torch.Tensor) -> torch.Tensor:
        x = torch.cat([features, torch.log1p(f0).unsqueeze(-1)], dim=-1).transpose(1, 2)
        shape = self.upsample(self.encode(x))[:, 0]
        f0_up = torch.repeat_interleave(f0, self.hop_length, dim=1)
        phase = torch.cumsum(2 * math.pi * f0_up / self.sample_rate, dim=1)
        source = torch.sin(phase) * (f0_up > 0).to(f0_up.dtype)
        return source * (1.0 + 0.2 * torch.tanh(shape))


def save_tiny_voice(path: Path, seed: int = 0, **sizes: int) -> Path:
    """Script a seeded ``TinyVoice`` and save it as a TorchScript model file at ``path``."""
    from engine.voice.neural import torchscript_allowed

    torch.manual_seed(seed)
    with torchscript_allowed():
        scripted = torch.jit.script(TinyVoice(**sizes).eval())
        torch.jit.save(scripted, str(path))
    return path
