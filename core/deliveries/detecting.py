"""Trace's CPU work: decode a file found in the wild and look for a delivery's token."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from core.audio.io import load_audio
from core.deliveries.marking import MarkingKey

MAX_TRACE_SECONDS = 20 * 60.0  # a clip is at most a few minutes; longer files are not ours


@dataclass(frozen=True)
class FoundMark:
    token: int
    key_id: str
    confidence: float


def detect_in_file(path: Path, keys: Sequence[MarkingKey]) -> FoundMark | None:
    """The watermark in ``path`` under any of ``keys``, or None; ``UnsupportedAudio`` if unreadable."""
    from core.watermark import WatermarkKey, detect

    audio = load_audio(path, max_seconds=MAX_TRACE_SECONDS)
    found = detect(
        audio.samples, audio.sample_rate, [WatermarkKey(k.key_id, k.secret) for k in keys]
    )
    if found is None:
        return None
    return FoundMark(found.token, found.key_id, found.confidence)
