"""Reading and writing audio files, with clear errors for what cannot be read.

WAV/FLAC/OGG go through libsndfile (soundfile); anything else (MP3, M4A…)
through ffmpeg. Everything comes back as float32 ``(channels, n)``.
"""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf
from scipy.signal import resample_poly

from core.media import UnreadableAudio

FloatArray = npt.NDArray[np.float32]
TARGET_RATE = 44_100
SILENCE_PEAK = 1e-3
"""−60 dBFS: a file whose loudest sample is quieter than this holds only hiss or dither."""
DECODE_TIMEOUT_S = 120.0
_DAMAGED = "is damaged or cut off (an incomplete upload?); send the whole file again"
_NOT_AUDIO = "is not an audio file I can read (corrupt, or a format I don't know); try WAV, FLAC or MP3"


class UnsupportedAudio(UnreadableAudio):
    """A file that is not usable audio; the message says which and why.

    ``user_message`` names only the file, never its folder on the server;
    ``detail`` keeps what the decoder said, for the log.
    """


@dataclass(frozen=True, eq=False)
class Audio:
    samples: FloatArray  # (channels, n)
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return float(self.samples.shape[1] / self.sample_rate)


@dataclass(frozen=True)
class AudioInfo:
    """What a file's header says, read without decoding the audio."""

    duration_s: float
    sample_rate: int
    channels: int
    format: str  # "WAV", "FLAC", "MP3", or ffprobe's format name


def probe_audio(path: Path) -> AudioInfo:
    """Read the header of ``path``; ``UnsupportedAudio`` if neither libsndfile nor ffprobe can."""
    path = Path(path)
    _check_file(path)
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError):
        return _probe_ffprobe(path)
    return AudioInfo(float(info.duration), int(info.samplerate), int(info.channels), str(info.format))


def _probe_ffprobe(path: Path) -> AudioInfo:
    if shutil.which("ffprobe") is None:
        raise UnsupportedAudio(path, "needs ffmpeg to read this format (apt-get install ffmpeg)")
    args = ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
            "stream=sample_rate,channels:format=duration,format_name", "-of", "json", str(path)]
    proc = subprocess.run(args, capture_output=True, timeout=30, check=False)
    try:
        parsed = json.loads(proc.stdout or b"{}")
        stream, fmt = parsed["streams"][0], parsed["format"]
        return AudioInfo(
            float(fmt["duration"]), int(stream["sample_rate"]), int(stream["channels"]),
            str(fmt["format_name"]).split(",")[0].upper(),
        )
    except (KeyError, IndexError, ValueError) as error:
        raise UnsupportedAudio(path, _NOT_AUDIO, detail=proc.stderr.decode(errors="replace")) from error


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise UnsupportedAudio(path, "does not exist")
    if path.stat().st_size == 0:
        raise UnsupportedAudio(path, "is empty")


def _too_long(path: Path, seconds: float, max_seconds: float | None) -> None:
    if max_seconds is not None and seconds > max_seconds:
        raise UnsupportedAudio(path, f"is {seconds:.0f} s long; the limit is {max_seconds:.0f} s")


def _wav_is_truncated(path: Path) -> bool:
    """Whether a RIFF/WAVE file's data chunk claims more bytes than the file holds.

    libsndfile quietly shortens such a file to what is there, which would turn
    an interrupted upload into a shorter song instead of an error.
    """
    size = path.stat().st_size
    with path.open("rb") as file:
        if file.read(12)[8:12] != b"WAVE":
            return False
        while header := file.read(8):
            if len(header) < 8:
                return True
            chunk_id, chunk_size = header[:4], struct.unpack("<I", header[4:])[0]
            if chunk_id == b"data":
                # 0 and 0xFFFFFFFF are the "length unknown" of streamed WAVs.
                return chunk_size not in (0, 0xFFFFFFFF) and file.tell() + chunk_size > size
            file.seek(chunk_size + (chunk_size & 1), io.SEEK_CUR)
    return True


def _read_soundfile(path: Path, max_seconds: float | None) -> Audio | None:
    """Decode with libsndfile; ``None`` when it does not know the format (ffmpeg may)."""
    try:
        file = sf.SoundFile(str(path))
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError):
        return None
    with file:
        declared, rate = file.frames, file.samplerate
        _too_long(path, declared / rate, max_seconds)
        try:
            data = file.read(dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError) as error:
            raise UnsupportedAudio(path, _DAMAGED, detail=str(error)) from error
        container = file.format
    # FLAC and MP3 headers state the length; decoders stop early on a cut file.
    short = declared - data.shape[0] > max(4096, declared // 100)
    if short or (container == "WAV" and _wav_is_truncated(path)):
        raise UnsupportedAudio(path, _DAMAGED)
    return Audio(np.ascontiguousarray(data.T), int(rate))


def _read_ffmpeg(path: Path, max_seconds: float | None) -> Audio:
    if shutil.which("ffmpeg") is None:
        raise UnsupportedAudio(path, "needs ffmpeg to decode (apt-get install ffmpeg)")
    # Decoding one second past the limit is enough to refuse a three-hour file.
    limit = [] if max_seconds is None else ["-t", f"{max_seconds + 1:g}"]
    args = ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), *limit,
            "-f", "wav", "-acodec", "pcm_f32le", "-"]
    try:
        proc = subprocess.run(args, capture_output=True, timeout=DECODE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as error:
        raise UnsupportedAudio(path, "took too long to decode; try WAV, FLAC or MP3") from error
    detail = proc.stderr.decode(errors="replace").strip()
    if proc.returncode != 0 or not proc.stdout:
        raise UnsupportedAudio(path, _NOT_AUDIO, detail=detail)
    if "Error while decoding" in detail:  # ffmpeg skips bad packets and carries on
        raise UnsupportedAudio(path, _DAMAGED, detail=detail)
    data, rate = sf.read(io.BytesIO(proc.stdout), dtype="float32", always_2d=True)
    return Audio(np.ascontiguousarray(data.T), int(rate))


def load_audio(path: Path, *, max_seconds: float | None = None) -> Audio:
    """Decode ``path``; ``UnsupportedAudio`` when empty, corrupt, cut off, silent or too long."""
    path = Path(path)
    _check_file(path)
    audio = _read_soundfile(path, max_seconds) or _read_ffmpeg(path, max_seconds)
    if audio.samples.shape[1] == 0:
        raise UnsupportedAudio(path, "has no audio frames")
    if audio.samples.shape[0] > 2:
        raise UnsupportedAudio(path, f"has {audio.samples.shape[0]} channels; use mono or stereo")
    _too_long(path, audio.duration_s, max_seconds)
    if not np.all(np.isfinite(audio.samples)):
        raise UnsupportedAudio(path, "contains invalid samples (NaN or infinity)")
    if float(np.max(np.abs(audio.samples))) < SILENCE_PEAK:
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
