"""Per-delivery CPU work: watermark the master with the delivery's token, then encode.

Plain, picklable arguments in (paths, ints, bytes), small facts out, so the
work can run in a thread or a process and the event loop never blocks on audio.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from core.media import ClipTags, EncodeFormat, MarkedCopy, MarkingKey
from engine.encode import encode
from engine.mastering import trim_to_true_peak
from engine.provenance.c2pa_embed import C2paSigner
from engine.provenance.stamp import stamp_file


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
) -> MarkedCopy:
    """Master FLAC → marked with ``token`` → true-peak trimmed → encoded → tagged → signed.

    The trim after marking keeps the −1 dBTP ceiling the master was made to
    (the mark adds a fraction of a dB at most); WATERMARK.md's order. Tags
    (mutagen) and the C2PA manifest (MP3/M4A) come last, and the sha256 is of
    the final bytes, so an unmodified copy matches its delivery exactly.
    """
    from engine.watermark import WatermarkKey, embed

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
    return MarkedCopy(encoded.path, stamped.sha256, stamped.size_bytes, stamped.manifest)
