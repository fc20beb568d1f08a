"""Content-addressed files on local disk (audio, stems, clips).

A blob lives at ``root/ab/cd/abcd…`` (its sha256, fanned out so no folder
grows huge). Writes go to a temporary file in the same folder and are moved
into place with ``os.replace``, which is atomic: a reader sees the whole blob
or none, and a crash leaves at most a stray ``.tmp`` file, never a truncated
blob under a valid name. Storing the same content twice is a no-op. File I/O
runs in a worker thread so the event loop keeps serving while audio is copied.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_CHUNK = 1 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class LocalBlobStore:
    """``core.ports.BlobStore`` on a local (or shared, mounted) directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        """Where the blob ``sha256`` lives (whether or not it exists yet)."""
        if not _SHA256.match(sha256):
            # Also keeps a crafted "hash" from naming a path outside the root.
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    async def put_bytes(self, data: bytes) -> str:
        """Store ``data``; returns its sha256."""
        return await asyncio.to_thread(self._put_bytes, data)

    async def put_file(self, path: Path) -> str:
        """Copy the file at ``path`` in, hashing it as it streams; returns its sha256."""
        return await asyncio.to_thread(self._put_file, Path(path))

    async def get_bytes(self, sha256: str) -> bytes:
        """The blob's content; ``FileNotFoundError`` if it was never stored."""
        return await asyncio.to_thread(self.path_of(sha256).read_bytes)

    async def exists(self, sha256: str) -> bool:
        return await asyncio.to_thread(self.path_of(sha256).is_file)

    async def probe(self) -> dict[str, Any]:
        """Whether the store can be read and written now, and its free space (``/healthz``)."""
        return await asyncio.to_thread(self._probe)

    # -- the blocking half, run in a thread ------------------------------------------------
    def _probe(self) -> dict[str, Any]:
        if not self.root.is_dir():
            return {"ok": False, "error": "blob directory missing"}
        if not os.access(self.root, os.R_OK | os.W_OK | os.X_OK):
            return {"ok": False, "error": "blob directory not writable"}
        return {"ok": True, "free_bytes": shutil.disk_usage(self.root).free}

    def _put_bytes(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if self.path_of(sha).is_file():
            return sha
        return self._write_atomically([data])

    def _put_file(self, source: Path) -> str:
        with source.open("rb") as reader:
            return self._write_atomically(iter(lambda: reader.read(_CHUNK), b""))

    def _write_atomically(self, chunks: Iterable[bytes]) -> str:
        """Write ``chunks`` to a temporary file, hashing as we go, then move it into place.

        The temporary file lives under the root (same file system), because
        ``os.replace`` is only atomic within one file system.
        """
        staging = self.root / ".tmp"
        staging.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=staging, suffix=".tmp")
        temporary = Path(name)
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as handle:
                for chunk in chunks:
                    digest.update(chunk)
                    handle.write(chunk)
                handle.flush()
                # A database row will point at this blob: it must survive a power cut.
                os.fsync(handle.fileno())
            sha = digest.hexdigest()
            target = self.path_of(sha)
            if not target.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(temporary, 0o644)  # mkstemp makes it 0600; workers and web read it
                os.replace(temporary, target)
            return sha
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
