"""Trace's CPU work: decode a file found in the wild and look for a delivery's token."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from core.media import FoundMark, MarkingKey, Scan
from engine.io import load_audio

MAX_TRACE_SECONDS = 20 * 60.0  # a clip is at most a few minutes; longer files are not ours


def detect_in_file(path: Path, keys: Sequence[MarkingKey]) -> Scan:
    """The watermark in ``path`` under any of ``keys``; ``UnsupportedAudio`` if unreadable.

    Any sample rate is read: a copy cut down to a low rate (8 kHz telephone
    audio) is resampled and tried on the part of the band it kept.
    """
    from engine.watermark import WatermarkKey, band_kept, detect

    audio = load_audio(path, max_seconds=MAX_TRACE_SECONDS)
    kept = band_kept(audio.sample_rate)
    if kept == 0.0:
        return Scan(None, audio.sample_rate, kept)
    found = detect(
        audio.samples, audio.sample_rate, [WatermarkKey(k.key_id, k.secret) for k in keys]
    )
    mark = None if found is None else FoundMark(found.token, found.key_id, found.confidence)
    return Scan(mark, audio.sample_rate, kept)
