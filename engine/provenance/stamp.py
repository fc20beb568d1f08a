"""Finishing an encoded delivery: tags, then the C2PA manifest, then the final sha256.

The order is forced: C2PA binds the bytes, so tags go in first; the sha256
is taken last, over the bytes that are actually handed out, so ``trace``
finds exact copies. One call, so the audio worker cannot get it wrong.
Runs in the audio process pool: plain, picklable arguments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.encode import ClipTags, EncodeFormat
from engine.provenance.c2pa_embed import C2paSigner, embed_c2pa
from engine.provenance.manifest import with_sha256
from engine.provenance.tags import write_tags

__all__ = ["Stamped", "stamp_file"]


@dataclass(frozen=True)
class Stamped:
    sha256: str  # of the final bytes
    size_bytes: int
    manifest: dict[str, Any]  # the record with file.sha256 filled in: the sidecar's content
    c2pa: bool  # whether a signed C2PA manifest is inside the file


def stamp_file(
    path: Path,
    fmt: EncodeFormat,
    tags: ClipTags,
    extra: Mapping[str, str],
    manifest: Mapping[str, Any],
    signer: C2paSigner | None,
) -> Stamped:
    """Tag the encoded file at ``path``, sign C2PA into it when ``signer`` is given, hash it.

    Raises:
        TagError, C2paError: as :func:`write_tags` and :func:`embed_c2pa`.
    """
    path = Path(path)
    write_tags(path, fmt, tags, extra)
    signed = embed_c2pa(path, fmt, manifest, signer) if signer is not None else False
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return Stamped(
        sha256=digest,
        size_bytes=path.stat().st_size,
        manifest=with_sha256(manifest, digest),
        c2pa=signed,
    )
