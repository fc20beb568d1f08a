"""Stems for recordings imported without them: demucs, once per recording and model.

``SeparatedStems`` is the render job's fallback ``StemSource``. The model is
loaded once when the worker starts; the stem cache single-flights concurrent
requests for the same recording and its index lives beside the shared blobs,
so a recording is separated once whichever worker gets it first. Without
weights, the fan hears that the song is not ready and the log tells the
operator which file to install.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Executor
from pathlib import Path
from typing import Protocol

import numpy as np

from core.model import Recording
from core.ports import BlobStore
from engine.io import load_audio, to_stereo_44k
from engine.separation import SeparationError, StemCache, stem_cache_key
from jobs.failures import UserFacingError
from jobs.stems import ProgressFn

log = logging.getLogger(__name__)

MAX_SEPARATION_SECONDS = 15 * 60


class Separates(Protocol):
    def separate(self, audio: np.ndarray) -> dict[str, np.ndarray]: ...


class SeparatedStems:
    def __init__(
        self,
        blobs: BlobStore,
        cache: StemCache,
        separator: Separates,
        model_id: str,
        model_version: str,
        executor: Executor | None = None,
    ) -> None:
        self._blobs = blobs
        self._cache = cache
        self._separator = separator
        self._model_id = model_id
        self._model_version = model_version
        self._executor = executor

    async def stem_paths(self, recording: Recording, progress: ProgressFn) -> dict[str, Path]:
        if not recording.audio_sha256:
            raise UserFacingError(f"*{recording.title}* has no audio in the catalog yet.")
        key = stem_cache_key(recording.audio_sha256, self._model_id, self._model_version)
        source = self._blobs.path_of(recording.audio_sha256)

        async def separate() -> dict[str, np.ndarray]:
            await progress("separating", 5)
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, self._separate_file, source)

        try:
            stems = await self._cache.get_or_separate(key, separate)
        except SeparationError as exc:
            log.error("separating %s failed: %s", recording.id, exc)
            raise UserFacingError(
                f"I couldn't split *{recording.title}* into parts on this server right now; "
                "the moderators have been told.",
                transient=False,
            ) from exc
        return {name: self._blobs.path_of(sha) for name, sha in stems.stems.items()}

    def _separate_file(self, path: Path) -> dict[str, np.ndarray]:
        audio = to_stereo_44k(load_audio(path, max_seconds=MAX_SEPARATION_SECONDS))
        return self._separator.separate(audio.samples)


class MissingModelStems:
    """Stands in when no separation weights are installed: says so, in two audiences' words."""

    def __init__(self, operator_message: str) -> None:
        self._operator_message = operator_message

    async def stem_paths(self, recording: Recording, progress: ProgressFn) -> dict[str, Path]:
        log.error("cannot separate %s: %s", recording.id, self._operator_message)
        raise UserFacingError(
            f"*{recording.title}* isn't ready for covers on this server yet (its parts "
            "haven't been separated); the moderators have been told."
        )
