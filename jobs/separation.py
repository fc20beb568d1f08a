"""Stems for recordings imported without them: demucs, once per recording and model.

``SeparatedStems`` is the render job's fallback ``StemSource``, and what the
stem warmer (``jobs.warming``) calls ahead of any request. The model is
loaded once when the worker starts; separations run one at a time through a
``SeparationQueue`` where fans go before warming (and a fan asking for a
recording queued for warming moves it to the front); the stem cache's index
lives beside the shared blobs, so a recording is separated once whichever
worker gets it first. Without weights, the fan hears that the song is not
ready and the log tells the operator which file to install.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path
from typing import Protocol

import numpy as np

from core.model import Recording
from core.ports import BlobStore
from engine.io import load_audio, to_stereo_44k
from engine.separation import SeparationError, StemCache, StemSet, stem_cache_key
from jobs.failures import UserFacingError
from jobs.stem_queue import FAN_PRIORITY, WARM_PRIORITY, SeparationQueue
from jobs.stems import ProgressFn
from storage import FileWarmList

log = logging.getLogger(__name__)

MAX_SEPARATION_SECONDS = 15 * 60


class Separates(Protocol):
    def separate(
        self, audio: np.ndarray, progress: Callable[[float], None] | None = None
    ) -> dict[str, np.ndarray]: ...


class SeparatedStems:
    def __init__(
        self,
        blobs: BlobStore,
        cache: StemCache,
        separator: Separates,
        model_id: str,
        model_version: str,
        executor: Executor | None = None,
        warm_list: FileWarmList | None = None,
    ) -> None:
        self.segment_progress: Callable[[float], None] | None = None
        """Told the fraction of each separation done (the CLI's progress bar), from a thread."""
        self._blobs = blobs
        self._queue: SeparationQueue[StemSet] = SeparationQueue()
        self._warm_list = warm_list
        self._cache = cache
        self._separator = separator
        self._model_id = model_id
        self._model_version = model_version
        self._executor = executor

    @property
    def queue(self) -> SeparationQueue[StemSet]:
        """The separations waiting or running in this process, by stem cache key."""
        return self._queue

    def key_of(self, recording: Recording) -> str:
        """The stem cache key of ``recording``'s stems under this model."""
        if not recording.audio_sha256:
            raise UserFacingError(f"*{recording.title}* has no audio in the catalog yet.")
        return stem_cache_key(recording.audio_sha256, self._model_id, self._model_version)

    async def stem_paths(self, recording: Recording, progress: ProgressFn) -> dict[str, Path]:
        """A fan's request: ahead of every warming separation."""
        stems = await self._cache.get(self.key_of(recording))
        if stems is None:
            await progress("separating", 5)
            stems = await self._stems(recording, FAN_PRIORITY)
        return {name: self._blobs.path_of(sha) for name, sha in stems.stems.items()}

    async def warm(self, recording: Recording) -> StemSet:
        """Stems made ahead of any request: after every fan's separation."""
        return await self._stems(recording, WARM_PRIORITY)

    async def _stems(self, recording: Recording, priority: int) -> StemSet:
        key = self.key_of(recording)
        source = self._blobs.path_of(recording.audio_sha256 or "")

        async def separate() -> dict[str, np.ndarray]:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, self._separate_file, source)

        try:
            stems = await self._queue.run(
                key, priority, lambda: self._cache.get_or_separate(key, separate)
            )
        except SeparationError as exc:
            log.error("separating %s failed: %s", recording.id, exc)
            raise UserFacingError(
                f"I couldn't split *{recording.title}* into parts on this server right now; "
                "the moderators have been told.",
                transient=False,
            ) from exc
        if self._warm_list is not None:
            await asyncio.to_thread(self._warm_list.mark_ready, recording.id, key)
        return stems

    def _separate_file(self, path: Path) -> dict[str, np.ndarray]:
        audio = to_stereo_44k(load_audio(path, max_seconds=MAX_SEPARATION_SECONDS))
        return self._separator.separate(audio.samples, self.segment_progress)


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
