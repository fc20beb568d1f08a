"""Encoding mastered clips for delivery (Opus, MP3, M4A) and reading them back.

Each platform plays something different inline: Discord plays Ogg Opus,
Telegram's ``sendAudio`` takes only MP3 or M4A, and browsers on the share
page play M4A everywhere. Clips carry tags that name them (title, artist,
album "Refrain covers", a comment with clip and license) and Refrain's own
``REFRAIN_CLIP_ID``/``REFRAIN_TOKEN``, so ``refrain trace`` can identify an
untouched copy from its tags alone, before any watermark detection.

ffmpeg is fed raw float32 PCM on stdin (no temporary WAV) and writes next to
the target, which is renamed into place only when complete: a crash never
leaves a half-written clip where a delivery or the blob store would find it.
Output is bit-exact (no version strings, fixed Ogg serial), so encoding the
same audio twice yields the same bytes and the same sha256.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from core.media import DEFAULT_ALBUM, ClipTags, EncodeFormat
from engine.ffmpeg import EncodingError, run_tool
from engine.loudness import as_channels

__all__ = [
    "DEFAULT_ALBUM",
    "TAG_CLIP_ID",
    "TAG_TOKEN",
    "ClipTags",
    "EncodeFormat",
    "EncodedClip",
    "EncodingError",
    "decode_to_float",
    "encode",
    "ffmpeg_metadata",
    "read_tags",
]

TAG_CLIP_ID = "REFRAIN_CLIP_ID"
TAG_TOKEN = "REFRAIN_TOKEN"
_CUSTOM_TAGS = (TAG_CLIP_ID, TAG_TOKEN)
# MP4's iTunes atoms have no free-form keys that ffmpeg writes, so in M4A the
# custom tags travel as "KEY=value; KEY=value" in the description atom.
_PACKED_TAG = re.compile(r"\s*(REFRAIN_[A-Z_]+)=([^;]*)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_DEFAULT_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class _Encoder:
    muxer: str
    codec: tuple[str, ...]


_ENCODERS: dict[EncodeFormat, _Encoder] = {
    EncodeFormat.OPUS: _Encoder(
        muxer="ogg",
        codec=("-c:a", "libopus", "-vbr", "on", "-application", "audio",
               # level 5 encodes 1.6x faster than the default 10; at 128 kb/s the
               # difference is not audible, and encoding is a third of a render.
               "-compression_level", "5"),
    ),
    # CBR with a Xing/LAME header: exact duration and gapless trimming everywhere.
    EncodeFormat.MP3: _Encoder(
        muxer="mp3",
        codec=("-c:a", "libmp3lame", "-id3v2_version", "3", "-write_xing", "1"),
    ),
    # The "ipod" muxer writes an iTunes-style .m4a; faststart puts the index
    # first so the share page can play it while it downloads. ffmpeg's AAC
    # encoder substitutes noise for noisy bands (PNS) in ways that overshoot
    # by several dB on cymbals, which the −1 dBTP headroom cannot absorb.
    EncodeFormat.M4A: _Encoder(
        muxer="ipod",
        codec=("-c:a", "aac", "-aac_pns", "0", "-movflags", "+faststart"),
    ),
}


def ffmpeg_metadata(tags: ClipTags, fmt: EncodeFormat) -> list[tuple[str, str]]:
    """``(key, value)`` pairs for ffmpeg's ``-metadata``, as ``fmt`` can store them."""
    pairs = [
        ("title", tags.title),
        ("artist", tags.artist),
        ("album", tags.album),
        ("comment", tags.comment),
    ]
    custom = [(TAG_CLIP_ID, tags.clip_id)]
    if tags.token:
        custom.append((TAG_TOKEN, tags.token))
    if fmt is EncodeFormat.M4A:
        pairs.append(("description", "; ".join(f"{key}={value}" for key, value in custom)))
    else:
        pairs.extend(custom)
    # Control characters cannot travel in argv (NUL) or break tag frames.
    return [(key, _CONTROL.sub(" ", value).strip()) for key, value in pairs]


@dataclass(frozen=True)
class EncodedClip:
    """An encoded file in its final place."""

    path: Path
    format: EncodeFormat
    sha256: str
    size_bytes: int
    duration_s: float


def encode(
    audio: ArrayLike,
    sample_rate: int,
    fmt: EncodeFormat,
    target: Path,
    tags: ClipTags,
    *,
    bitrate_kbps: int | None = None,
    timeout_s: float = _DEFAULT_TIMEOUT_S,
) -> EncodedClip:
    """Encode mastered float audio to ``target`` in ``fmt``, tagged, atomically.

    Args:
        audio: ``(channels, samples)`` float, one or two channels, already
            mastered (and watermarked): nothing here changes its level.
        sample_rate: of ``audio``; ffmpeg resamples to ``fmt.sample_rate``.
        fmt: the format; ``target`` keeps whatever suffix it is given.
        target: the final path; its directory is created if missing.
        tags: what the file says about itself.
        bitrate_kbps: overrides ``fmt.bitrate_kbps``.
        timeout_s: limit for ffmpeg.

    Raises:
        EncodingError: ffmpeg is missing or failed (the message says which).
        ValueError: empty, non-finite or more-than-stereo audio, or a bad rate.
    """
    x = _encodable(audio, sample_rate)
    spec = _ENCODERS[fmt]
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    # A raw input file, not a pipe: Python feeds pipes 512 bytes at a time, and on
    # one core the ping-pong with ffmpeg cost more than the encoding itself.
    raw = partial.with_suffix(".f32")
    args = [
        "-hide_banner", "-nostats", "-loglevel", "error", "-threads", "1",
        "-f", "f32le", "-ar", str(sample_rate), "-ac", str(x.shape[0]), "-i", str(raw),
        *spec.codec,
        "-b:a", f"{bitrate_kbps or fmt.bitrate_kbps}k",
        "-ar", str(fmt.sample_rate),
        "-threads", "1",
    ]  # fmt: skip
    for key, value in ffmpeg_metadata(tags, fmt):
        args += ["-metadata", f"{key}={value}"]
    args += ["-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", spec.muxer, "-y", str(partial)]
    try:
        np.ascontiguousarray(x.T, dtype="<f4").tofile(raw)
        run_tool("ffmpeg", args, timeout_s=timeout_s, what=f"encode {fmt.name}")
        with partial.open("rb") as written:
            digest = hashlib.file_digest(written, "sha256").hexdigest()
            os.fsync(written.fileno())
        size = partial.stat().st_size
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
        raw.unlink(missing_ok=True)
    return EncodedClip(
        path=target,
        format=fmt,
        sha256=digest,
        size_bytes=size,
        duration_s=x.shape[1] / sample_rate,
    )


def decode_to_float(
    path: Path,
    *,
    sample_rate: int | None = None,
    channels: int | None = None,
    timeout_s: float = _DEFAULT_TIMEOUT_S,
) -> tuple[NDArray[np.float32], int]:
    """Decode any file ffmpeg reads to ``((channels, samples) float32, sample_rate)``.

    The file's own rate and channel count are kept unless given; used by the
    tests and by ``refrain trace`` on files found in the wild.

    Raises:
        EncodingError: ffmpeg is missing or cannot read the file.
    """
    if sample_rate is None or channels is None:
        probed_rate, probed_channels = _probe_stream(path, timeout_s)
        sample_rate = sample_rate or probed_rate
        channels = channels or probed_channels
    args = [
        "-hide_banner", "-nostats", "-loglevel", "error", "-threads", "1",
        "-i", str(path), "-map", "0:a:0",
        "-f", "f32le", "-acodec", "pcm_f32le",
        "-ar", str(sample_rate), "-ac", str(channels), "pipe:1",
    ]  # fmt: skip
    raw = run_tool("ffmpeg", args, timeout_s=timeout_s, what=f"decode {Path(path).name}")
    samples = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    frames = samples.shape[0] // channels
    audio: NDArray[np.float32] = samples[: frames * channels].reshape(frames, channels).T.copy()
    return audio, sample_rate


def read_tags(path: Path, *, timeout_s: float = 30.0) -> dict[str, str]:
    """A file's tags, container and stream level merged, keys as ffprobe names them.

    Standard keys come back lower-case (``title``, ``artist``, ``album``,
    ``comment``); Refrain's own as :data:`TAG_CLIP_ID` and :data:`TAG_TOKEN`
    in every format (unpacked from the M4A description).

    Raises:
        EncodingError: ffprobe is missing or cannot read the file.
    """
    args = ["-v", "error", "-show_entries", "format_tags:stream_tags", "-of", "json", str(path)]
    raw = run_tool("ffprobe", args, timeout_s=timeout_s, what=f"read the tags of {Path(path).name}")
    probed = json.loads(raw or b"{}")
    tags: dict[str, str] = {}
    for stream in probed.get("streams", []):
        tags.update(stream.get("tags", {}))
    tags.update(probed.get("format", {}).get("tags", {}))
    for key, value in _PACKED_TAG.findall(tags.get("description", "")):
        if key in _CUSTOM_TAGS:
            tags.setdefault(key, value.strip())
    return tags


def _probe_stream(path: Path, timeout_s: float) -> tuple[int, int]:
    args = [
        "-v", "error", "-select_streams", "a:0",
        "-show_entries", "stream=sample_rate,channels", "-of", "json", str(path),
    ]  # fmt: skip
    raw = run_tool("ffprobe", args, timeout_s=timeout_s, what=f"read {Path(path).name}")
    streams = json.loads(raw or b"{}").get("streams", [])
    if not streams:
        raise EncodingError(f"ffprobe could not read {Path(path).name}: no audio stream")
    return int(streams[0]["sample_rate"]), int(streams[0]["channels"])


def _encodable(audio: ArrayLike, sample_rate: int) -> NDArray[np.float32]:
    if sample_rate <= 0:
        raise ValueError(f"sample rate must be positive, got {sample_rate}")
    x = as_channels(audio)
    if x.shape[0] not in (1, 2):
        raise ValueError(f"can encode mono or stereo, got {x.shape[0]} channels")
    if x.shape[1] == 0:
        raise ValueError("nothing to encode: the clip is empty")
    if not np.isfinite(x).all():
        raise ValueError("audio contains NaN or infinite samples")
    return x
