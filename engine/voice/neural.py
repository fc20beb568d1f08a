"""The ``torchscript`` (and ``onnx``) backend: an RVC-style neural model file sings the line.

Declared interface of a model file (TorchScript, ``torch.jit.save``):

* attributes ``sample_rate: int``, ``hop_length: int``, ``feature_dim: int``;
* ``forward(features: Tensor[1, frames, feature_dim] float32, f0: Tensor[1, frames] float32 Hz,
  0 = unvoiced) -> Tensor[1, frames * hop_length]`` float32 waveform at ``sample_rate``.

Content features are log-mel energies (``feature_dim`` bands, one frame per
``hop_length`` samples) — what can be computed without downloading a
content encoder; an RVC export wraps its own encoder behind the same call.
The F0 is the source melody moved into the target's register by the same
``pitch`` plan as the ``world`` backend. Like it, silence stays silent
(singing is converted, rests are not) and the output has the input's shape.
A model file that is missing, unreadable or answers with the wrong shape is
a ``VoiceModelFileError`` naming the file and what is wrong — never a crash
deep inside torch.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.fft import rfft
from scipy.signal import resample_poly

from engine.voice import analysis
from engine.voice.analysis import F64
from engine.voice.errors import VoiceBackendUnavailable, VoiceError, VoiceModelFileError
from engine.voice.pitch import PitchMode, map_f0, plan
from engine.voice.profile import VoiceProfile

REQUIRED = ("sample_rate", "hop_length", "feature_dim")


@contextmanager
def torchscript_allowed() -> Iterator[None]:
    """TorchScript is deprecated in torch 2.13 (for torch.export) but is the format asked for;
    its warnings are silenced here only, around our own calls."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"`torch\.jit\.\w+` is deprecated",
                                category=DeprecationWarning)
        yield


def log_mel(x: F64, sr: int, hop: int, bands: int) -> F64:
    """(frames, bands) log-mel energies, one frame per ``hop`` samples, centred."""
    n_fft = 1 << int(np.ceil(np.log2(4 * hop)))
    frames = -(-x.size // hop)
    padded = np.pad(x, (n_fft // 2, n_fft // 2 + frames * hop - x.size))
    windows = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop][:frames]
    power = np.abs(rfft(windows * np.hanning(n_fft), axis=1)) ** 2
    top = 2595.0 * np.log10(1.0 + sr / 2 * 0.95 / 700.0)
    bottom = 2595.0 * np.log10(1.0 + 40.0 / 700.0)
    edges = 700.0 * (10 ** (np.linspace(bottom, top, bands + 2) / 2595.0) - 1.0)
    bins = np.arange(n_fft // 2 + 1) * sr / n_fft
    bank = np.zeros((bands, bins.size))
    for m in range(bands):
        lo, mid, hi = edges[m : m + 3]
        bank[m] = np.clip(np.minimum((bins - lo) / (mid - lo), (hi - bins) / (hi - mid)), 0, None)
    return np.asarray(np.log(power @ bank.T + 1e-8), dtype=np.float64)


class NeuralConverter:
    """``VoiceConverter`` on a TorchScript model file; runs on the GPU when there is one."""

    def __init__(self, model_path: Path, *, kind: str = "torchscript", device: str = "auto",
                 pitch_mode: PitchMode = "melody") -> None:
        self.name = kind
        self.pitch_mode: PitchMode = pitch_mode
        if kind == "onnx":
            raise VoiceBackendUnavailable(
                "the onnx voice backend needs onnxruntime, which is not installed; export the model "
                "with torch.jit.save and use the torchscript backend"
            )
        try:
            import torch
        except ImportError as exc:  # pragma: no cover - torch is a dependency
            raise VoiceBackendUnavailable("the torchscript voice backend needs torch") from exc
        self._torch = torch
        path = Path(model_path)
        if not path.is_file():
            raise VoiceModelFileError(
                f"voice model file {path.name} not found in {path.parent.name or '.'}/ "
                "(install it into the models folder)"
            )
        self.device = ("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device
        try:
            with torchscript_allowed():
                load: Any = torch.jit.load
                self._model: Any = load(str(path), map_location=self.device).eval()
        except (RuntimeError, ValueError, OSError) as exc:
            raise VoiceModelFileError(
                f"{path.name} is not a TorchScript voice model ({str(exc).splitlines()[0][:120]})"
            ) from exc
        missing = [a for a in REQUIRED if not hasattr(self._model, a)]
        if missing:
            raise VoiceModelFileError(
                f"{path.name} does not declare {', '.join(missing)}: a voice model must carry "
                f"{', '.join(REQUIRED)} (see engine/voice/neural.py)"
            )
        self.sample_rate = int(self._model.sample_rate)
        self.hop = int(self._model.hop_length)
        self.feature_dim = int(self._model.feature_dim)
        self._file = path.name

    def convert(
        self,
        vocal_stem: npt.NDArray[np.floating],
        sr: int,
        target: VoiceProfile,
        *,
        key_shift_semitones: float = 0.0,
    ) -> npt.NDArray[np.float32]:
        audio = np.asarray(vocal_stem)
        if not np.isfinite(audio).all():
            raise VoiceError("the vocal stem contains invalid samples (NaN or infinity)")
        x = analysis.mono(audio)
        out = np.zeros(x.size)
        spans = analysis.active_segments(x, sr)
        f0s = [analysis.track_f0(x[a:b], sr) for a, b in spans]
        voiced = np.concatenate([f[f > 0] for f in f0s] or [np.zeros(0)])
        logs = np.log(voiced) if voiced.size else np.array([target.f0_log_mean])
        src_mean, src_std = float(logs.mean()), float(logs.std())
        chosen = plan(src_mean, target, key_shift_semitones, self.pitch_mode)
        for (a, b), f0 in zip(spans, f0s, strict=True):
            piece = x[a:b]
            model_in = piece if sr == self.sample_rate else resample_poly(piece, self.sample_rate, sr)
            feats = log_mel(model_in, self.sample_rate, self.hop, self.feature_dim)
            frames = feats.shape[0]
            # F0 per model frame: the 5 ms contour read at each frame's centre time.
            at = (np.arange(frames) * self.hop) / self.sample_rate / (analysis.FRAME_MS / 1000.0)
            index = np.clip(np.round(at).astype(np.int64), 0, f0.size - 1)
            f0_frames = map_f0(f0[index], src_mean, src_std, target, chosen)
            y = self._run(feats, f0_frames, frames)
            if sr != self.sample_rate:
                y = resample_poly(y, sr, self.sample_rate)
            y = y[: piece.size] if y.size >= piece.size else np.pad(y, (0, piece.size - y.size))
            source_rms, made_rms = float(np.sqrt(np.mean(piece**2))), float(np.sqrt(np.mean(y**2)))
            if made_rms > 0:
                y = y * (source_rms / made_rms)
            out[a:b] += y
        if audio.ndim == 1:
            return out.astype(np.float32)
        mono_rms = float(np.sqrt(np.mean(x**2)))
        gains = [float(np.sqrt(np.mean(np.asarray(c, np.float64) ** 2))) / mono_rms if mono_rms else 0.0
                 for c in audio]
        return np.stack([out * g for g in gains]).astype(np.float32)

    def _run(self, feats: F64, f0: F64, frames: int) -> F64:
        torch = self._torch
        with torch.inference_mode():
            features = torch.from_numpy(feats.astype(np.float32))[None].to(self.device)
            pitch = torch.from_numpy(f0.astype(np.float32))[None].to(self.device)
            try:
                wave = self._model(features, pitch)
            except RuntimeError as exc:
                raise VoiceModelFileError(
                    f"{self._file} failed on its declared interface (features [1, frames, "
                    f"{self.feature_dim}], f0 [1, frames]): {str(exc).splitlines()[0][:160]}"
                ) from exc
        expected = frames * self.hop
        if not isinstance(wave, torch.Tensor) or wave.numel() != expected:
            got = tuple(wave.shape) if isinstance(wave, torch.Tensor) else type(wave).__name__
            raise VoiceModelFileError(
                f"{self._file} returned {got}; a voice model returns [1, {expected}] "
                f"({frames} frames × hop {self.hop})"
            )
        return np.asarray(wave.reshape(-1).float().cpu().numpy(), dtype=np.float64)
