"""The stem cache's index as small JSON files in the shared blob directory.

Workers on several hosts share the blob directory (see DESIGN, scale-out), so
an index kept beside the blobs lets every worker find stems another one
separated: each recording is separated once, whichever worker did it.
Writes are atomic (temp file + rename), so a reader never sees half an entry.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import uuid
from collections.abc import Mapping
from pathlib import Path

from engine.separation import StemIndexEntry

_SAFE_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")


class FileStemIndex:
    """``engine.separation.StemIndex`` on files under ``root``."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, key: str) -> Path:
        if not _SAFE_KEY.match(key):
            raise ValueError(f"not a stem cache key: {key!r}")
        return self._root / f"{key.replace(':', '_')}.json"

    async def get(self, key: str) -> StemIndexEntry | None:
        path = self._path(key)
        try:
            data = json.loads(await asyncio.to_thread(path.read_text))
        except FileNotFoundError:
            return None
        except (ValueError, OSError):
            return None  # a damaged entry is a cache miss; the stems are separated again
        return StemIndexEntry(dict(data["stems"]), bool(data["provided"]))

    async def put(self, key: str, stems: Mapping[str, str], provided: bool) -> None:
        path = self._path(key)
        payload = json.dumps({"stems": dict(stems), "provided": provided}, sort_keys=True)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
            temp.write_text(payload)
            os.replace(temp, path)

        await asyncio.to_thread(write)
