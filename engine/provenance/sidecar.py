"""The JSON sidecar: ``<file>.provenance.json`` beside a delivered file.

Why a sidecar as well as tags and C2PA: it is the one form every format
(Opus included) and every reader (a person, ``jq``, a rights holder's
script) can use, and it holds the delivered file's sha256, which nothing
inside the file can. Written atomically, so a reader never sees half a
record.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.provenance.manifest import ProvenanceError, manifest_json, parse_manifest

__all__ = ["SIDECAR_SUFFIX", "read_sidecar", "sidecar_path", "write_sidecar"]

SIDECAR_SUFFIX = ".provenance.json"
_MAX_BYTES = 1024 * 1024  # a record is ~1.5 kB; anything this large is not one


def sidecar_path(audio: Path) -> Path:
    """``song.mp3`` → ``song.mp3.provenance.json`` (the full name kept: two formats, two records)."""
    audio = Path(audio)
    return audio.with_name(audio.name + SIDECAR_SUFFIX)


def write_sidecar(audio: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``manifest`` beside ``audio`` (replacing an older one) and return the sidecar's path."""
    target = sidecar_path(audio)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    try:
        with partial.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(manifest_json(manifest))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def read_sidecar(path: Path) -> dict[str, Any]:
    """Read a sidecar back (``path`` is the sidecar itself).

    Raises:
        ProvenanceError: missing, too large, or not a record this Refrain reads.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > _MAX_BYTES:
            raise ProvenanceError(f"{path.name} is {size} bytes: too large for a provenance record")
        data = path.read_bytes()
    except OSError as error:
        raise ProvenanceError(f"cannot read {path.name}: {error.strerror or error}") from None
    return parse_manifest(data)
