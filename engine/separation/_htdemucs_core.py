"""HTDemucs split at its spectrogram: the network alone, and the STFT/iSTFT around it.

An inference runtime (ONNX Runtime) runs plain tensor graphs well but not
complex-valued STFTs; the public demucs ONNX and C++ ports therefore keep
the STFT and its inverse outside the exported graph. ``HTDemucsCore`` is
``HTDemucs.forward`` from the magnitude spectrogram and the (padded) mix to
the two branches' outputs; ``spectrogram`` and ``waveform`` are the parts
before and after it, in torch, exactly as ``HTDemucs.forward`` does them.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from demucs.htdemucs import HTDemucs
from einops import rearrange
from torch import nn


def spectrogram(model: HTDemucs, mix: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(mix padded to the training length, complex spectrogram z, its magnitude)``."""
    training_length = int(model.segment * model.samplerate)
    if mix.shape[-1] < training_length:
        mix = F.pad(mix, (0, training_length - mix.shape[-1]))
    z: torch.Tensor = model._spec(mix)  # type: ignore[no-untyped-call]
    mag: torch.Tensor = model._magnitude(z)  # type: ignore[no-untyped-call]
    return mix, z, mag.to(mix.device)


def waveform(model: HTDemucs, z: torch.Tensor, x: torch.Tensor, xt: torch.Tensor,
             length: int) -> torch.Tensor:
    """The stems from the core's outputs: masked spectrogram back to audio, plus the time branch."""
    training_length = int(model.segment * model.samplerate)
    masked = model._mask(z, x)  # type: ignore[no-untyped-call]
    out: torch.Tensor = xt + model._ispec(masked, training_length)  # type: ignore[no-untyped-call]
    return out[..., :length]


class HTDemucsCore(nn.Module):
    """``HTDemucs.forward`` between the spectrogram and the inverse STFT (inference only)."""

    def __init__(self, model: HTDemucs) -> None:
        super().__init__()
        self.model = model

    def forward(self, mix: torch.Tensor, mag: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        m = self.model
        x = mag
        B, _, Fq, T = x.shape  # demucs' names
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        std = x.std(dim=(1, 2, 3), keepdim=True)
        x = (x - mean) / (1e-5 + std)
        xt = mix
        meant = xt.mean(dim=(1, 2), keepdim=True)
        stdt = xt.std(dim=(1, 2), keepdim=True)
        xt = (xt - meant) / (1e-5 + stdt)
        saved, saved_t, lengths, lengths_t = [], [], [], []
        for idx, encode in enumerate(m.encoder):
            lengths.append(x.shape[-1])
            inject = None
            if idx < len(m.tencoder):
                lengths_t.append(xt.shape[-1])
                tenc = m.tencoder[idx]
                xt = tenc(xt)
                if not tenc.empty:
                    saved_t.append(xt)
                else:
                    inject = xt
            x = encode(x, inject)
            if idx == 0 and m.freq_emb is not None:
                frs = torch.arange(x.shape[-2], device=x.device)
                emb = m.freq_emb(frs).t()[None, :, :, None].expand_as(x)
                x = x + m.freq_emb_scale * emb
            saved.append(x)
        if m.crosstransformer:
            if m.bottom_channels:
                f = x.shape[2]
                x = rearrange(x, "b c f t-> b c (f t)")
                x = m.channel_upsampler(x)
                x = rearrange(x, "b c (f t)-> b c f t", f=f)
                xt = m.channel_upsampler_t(xt)
            x, xt = m.crosstransformer(x, xt)
            if m.bottom_channels:
                x = rearrange(x, "b c f t-> b c (f t)")
                x = m.channel_downsampler(x)
                x = rearrange(x, "b c (f t)-> b c f t", f=f)
                xt = m.channel_downsampler_t(xt)
        for idx, decode in enumerate(m.decoder):
            skip = saved.pop(-1)
            x, pre = decode(x, skip, lengths.pop(-1))
            offset = m.depth - len(m.tdecoder)
            if idx >= offset:
                tdec = m.tdecoder[idx - offset]
                length_t = lengths_t.pop(-1)
                if tdec.empty:
                    pre = pre[:, :, 0]
                    xt, _ = tdec(pre, None, length_t)
                else:
                    xt, _ = tdec(xt, saved_t.pop(-1), length_t)
        S = len(m.sources)
        x = x.view(B, S, -1, Fq, T) * std[:, None] + mean[:, None]
        xt = xt.view(B, S, -1, mix.shape[-1]) * stdt[:, None] + meant[:, None]
        return x, xt
