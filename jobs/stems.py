"""Where a render's stems come from: provided with the recording, or separated once."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from core.model import Recording
from core.ports import BlobStore
from jobs.failures import JobFailure

log = logging.getLogger(__name__)


class ProgressFn(Protocol):
    async def __call__(self, stage: str, percent: int) -> None: ...


class StemSource(Protocol):
    async def stem_paths(self, recording: Recording, progress: ProgressFn) -> dict[str, Path]:
        """Local files of the recording's four stems (separating them once if needed)."""
        ...


class ProvidedStems:
    """Stems that came with the recording (the demo catalog, or supplied at import)."""

    def __init__(self, blobs: BlobStore, fallback: StemSource | None = None) -> None:
        self._blobs = blobs
        self._fallback = fallback

    async def stem_paths(self, recording: Recording, progress: ProgressFn) -> dict[str, Path]:
        if recording.stems:
            paths = {name: self._blobs.path_of(sha) for name, sha in recording.stems.items()}
            missing = [name for name, path in paths.items() if not path.exists()]
            if not missing:
                return paths
            log.warning("provided stems %s of %s are missing on disk", missing, recording.id)
        if self._fallback is None:
            raise JobFailure(
                f"*{recording.title}* has no stems yet and no separation model is set up on "
                "this server. A moderator can install one with `refrain models install`."
            )
        return await self._fallback.stem_paths(recording, progress)


def source_identity(recording: Recording) -> str:
    """What the stems are made from: the recording's audio, or its provided stems."""
    if recording.audio_sha256:
        return recording.audio_sha256
    if recording.stems:
        return ",".join(f"{name}={sha}" for name, sha in sorted(recording.stems.items()))
    return recording.id
