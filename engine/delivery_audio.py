"""The engine's side of deliveries and trace, behind ``core.ports.DeliveryAudio``.

The delivery service (in ``core``) decides who gets which copy, in which
format, with which token; this object does the audio: marks and encodes a
master, writes the provenance record, and reads a mark back from a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from core.media import ClipTags, EncodeFormat, MarkedCopy, MarkingKey, Scan
from core.model import Clip, Recording, VoiceModel, Work
from engine.detecting import detect_in_file
from engine.marking import mark_and_encode
from engine.provenance.c2pa_embed import C2paSigner
from engine.provenance.manifest import build_manifest, with_sha256


class DeliveryAudioEngine:
    """``core.ports.DeliveryAudio``; signs C2PA into MP3/M4A copies when given a signer."""

    def __init__(self, signer: C2paSigner | None = None) -> None:
        self._signer = signer

    def mark_and_encode(
        self,
        master: Path,
        token: int,
        key: MarkingKey,
        fmt: EncodeFormat,
        target: Path,
        tags: ClipTags,
        provenance: Mapping[str, Any],
        extra: Mapping[str, str],
    ) -> MarkedCopy:
        return mark_and_encode(master, token, key, fmt, target, tags, provenance, self._signer,
                               extra)

    def provenance(
        self,
        *,
        generator_version: str,
        clip: Clip,
        recording: Recording | None,
        work: Work | None,
        voice: VoiceModel | None,
        style_name: str,
        delivery_id: str,
        created_at: datetime,
        fmt: EncodeFormat,
        duration_s: float,
        share_url: str | None,
    ) -> dict[str, Any]:
        return build_manifest(
            generator_version=generator_version,
            clip=clip,
            recording=recording,
            work=work,
            voice=voice,
            style_name=style_name,
            delivery_id=delivery_id,
            created_at=created_at,
            fmt=fmt,
            duration_s=duration_s,
            share_url=share_url,
        )

    def with_sha256(self, record: Mapping[str, Any], sha256: str) -> dict[str, Any]:
        return with_sha256(record, sha256)

    def scan(self, path: Path, keys: Sequence[MarkingKey]) -> Scan:
        return detect_in_file(path, keys)
