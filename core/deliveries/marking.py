"""Per-delivery CPU work: watermark the master with the delivery's token, then encode.

A process-pool entry point: plain, picklable arguments in (paths, ints,
bytes), small facts out, so the event loop never blocks on audio.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from core.audio.encode import ClipTags, EncodedClip, EncodeFormat, encode
from core.audio.mastering import trim_to_true_peak
from core.provenance.c2pa_embed import C2paSigner
from core.provenance.stamp import stamp_file


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
    provenance: Mapping[str, Any],
    signer: C2paSigner | None,
    extra: Mapping[str, str],
) -> tuple[EncodedClip, dict[str, Any]]:
    """Master FLAC → marked with ``token`` → true-peak trimmed → encoded → tagged → signed.

    The trim after marking keeps the −1 dBTP ceiling the master was made to
    (the mark adds a fraction of a dB at most); WATERMARK.md's order. Tags
    (mutagen) and the C2PA manifest (MP3/M4A) come last, and the sha256 is of
    the final bytes, so an unmodified copy matches its delivery exactly.
    Returns the file and its provenance record (sha256 filled in).
    """
    from core.watermark import WatermarkKey, embed

    data, sample_rate = sf.read(str(master), dtype="float32", always_2d=True)
    audio = np.ascontiguousarray(data.T)
    marked = embed(audio, sample_rate, token, WatermarkKey(key.key_id, key.secret))
    trimmed, _ = trim_to_true_peak(marked)
    encoded = encode(trimmed, sample_rate, fmt, target, tags)
    try:
        stamped = stamp_file(encoded.path, fmt, tags, extra, provenance, signer)
    except Exception:
        encoded.path.unlink(missing_ok=True)  # never leave a half-stamped copy behind
        raise
    return replace(encoded, sha256=stamped.sha256, size_bytes=stamped.size_bytes), stamped.manifest
