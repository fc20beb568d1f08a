"""Per-delivery CPU work: watermark the master with the delivery's token, then encode.

A process-pool entry point: plain, picklable arguments in (paths, ints,
bytes), small facts out, so the event loop never blocks on audio.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from core.audio.encode import ClipTags, EncodedClip, EncodeFormat, encode
from core.audio.mastering import trim_to_true_peak


@dataclass(frozen=True)
class MarkingKey:
    """The watermark key a delivery is marked with (picklable; the secret is bytes)."""

    key_id: str
    secret: bytes


def mark_and_encode(
    master: Path,
    token: int,
    key: MarkingKey,
    fmt: EncodeFormat,
    target: Path,
    tags: ClipTags,
) -> EncodedClip:
    """Master FLAC → watermarked with ``token`` → true-peak trimmed → encoded ``target``.

    The trim after marking keeps the −1 dBTP ceiling the master was made to
    (the mark adds a fraction of a dB at most); WATERMARK.md's order.
    """
    from core.watermark import WatermarkKey, embed

    data, sample_rate = sf.read(str(master), dtype="float32", always_2d=True)
    audio = np.ascontiguousarray(data.T)
    marked = embed(audio, sample_rate, token, WatermarkKey(key.key_id, key.secret))
    trimmed, _ = trim_to_true_peak(marked)
    return encode(trimmed, sample_rate, fmt, target, tags)
