"""Reading and writing audio files, with clear errors for what cannot be read.

WAV/FLAC/OGG go through libsndfile (soundfile); anything else (MP3, M4A…)
through ffmpeg. Everything comes back as float32 ``(channels, n)``.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf
from scipy.signal import resample_poly

FloatArray = npt.NDArray[np.float32]
TARGET_RATE = 44_100


class UnsupportedAudio(Exception):
    """A file that is not usable audio; the message says which and why."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{Path(path).name}: {reason}")
        self.path = Path(path)
        self.reason = reason
        self.user_message = str(self)


@dataclass(frozen=True, eq=False)
class Audio:
    samples: FloatArray  # (channels, n)
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return float(self.samples.shape[1] / self.sample_rate)


def _read_soundfile(path: Path) -> Audio | None:
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError):
        return None
    return Audio(np.ascontiguousarray(data.T), int(rate))


def _read_ffmpeg(path: Path) -> Audio:
    if shutil.which("ffmpeg") is None:
        raise UnsupportedAudio(path, "needs ffmpeg to decode (apt-get install ffmpeg)")
    proc = subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-f", "wav", "-acodec",
         "pcm_f32le", "-"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0 or not proc.stdout:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()
        reason = detail[-1] if detail else "unknown format"
        raise UnsupportedAudio(path, f"is not audio I can read ({reason[:200]})")
    data, rate = sf.read(io.BytesIO(proc.stdout), dtype="float32", always_2d=True)
    return Audio(np.ascontiguousarray(data.T), int(rate))


def load_audio(path: Path, *, max_seconds: float | None = None) -> Audio:
    """Decode ``path``; ``UnsupportedAudio`` when empty, corrupt, silent or too long."""
    path = Path(path)
    if not path.is_file():
        raise UnsupportedAudio(path, "does not exist")
    if path.stat().st_size == 0:
        raise UnsupportedAudio(path, "is empty")
    audio = _read_soundfile(path) or _read_ffmpeg(path)
    if audio.samples.shape[1] == 0:
        raise UnsupportedAudio(path, "has no audio frames")
    if audio.samples.shape[0] > 2:
        raise UnsupportedAudio(path, f"has {audio.samples.shape[0]} channels; use mono or stereo")
    if max_seconds is not None and audio.duration_s > max_seconds:
        raise UnsupportedAudio(
            path, f"is {audio.duration_s:.0f} s long; the limit is {max_seconds:.0f} s"
        )
    if not np.all(np.isfinite(audio.samples)):
        raise UnsupportedAudio(path, "contains invalid samples (NaN or infinity)")
    if float(np.max(np.abs(audio.samples))) < 1e-5:
        raise UnsupportedAudio(path, "is silent")
    return audio


def to_stereo_44k(audio: Audio) -> Audio:
    """Stereo at 44.1 kHz, the rate every stem and style works at."""
    samples = audio.samples
    if samples.shape[0] == 1:
        samples = np.repeat(samples, 2, axis=0)
    if audio.sample_rate != TARGET_RATE:
        g = np.gcd(audio.sample_rate, TARGET_RATE)
        samples = resample_poly(
            samples, TARGET_RATE // g, audio.sample_rate // g, axis=1
        ).astype(np.float32)
    return Audio(np.ascontiguousarray(samples, dtype=np.float32), TARGET_RATE)


def encode_flac_bytes(samples: FloatArray, sample_rate: int = TARGET_RATE) -> bytes:
    """24-bit FLAC of float ``(channels, n)`` audio: lossless enough for stems, half the size."""
    buffer = io.BytesIO()
    sf.write(buffer, np.clip(samples.T, -1.0, 1.0), sample_rate, format="FLAC", subtype="PCM_24")
    return buffer.getvalue()


def write_audio(path: Path, samples: FloatArray, sample_rate: int = TARGET_RATE) -> None:
    """WAV or FLAC by suffix."""
    fmt = "FLAC" if path.suffix.lower() == ".flac" else "WAV"
    subtype = "PCM_24" if fmt == "FLAC" else "FLOAT"
    sf.write(str(path), samples.T, sample_rate, format=fmt, subtype=subtype)
