"""Separate each recording once per model: a content-addressed stem cache.

Separation is the most expensive step of a render (minutes of CPU for a
song), and its result depends only on the audio and the model. So stems are
keyed by ``stem_cache_key(audio sha256, model id, model version)``, stored as
blobs, and listed in a ``StemIndex``. Concurrent requests for the same key in
one process share one separation: the second fan asking for a cover of the
same song waits for the stems in progress instead of starting another.
Recordings that come with their own stems (the demo catalog) store them with
``put_provided`` and never run the model.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from core.ports import BlobStore
from engine.separation._codec import decode_stem, encode_stem
from engine.separation.index import StemIndex

log = logging.getLogger(__name__)

SeparateFn = Callable[[], Awaitable[dict[str, np.ndarray]]]
"""Runs the separation (off the event loop) and returns stem name → (channels, n) audio."""

_KEY_SCHEME = "refrain-stems/v1"  # bump when the stem format changes
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def stem_cache_key(audio_sha256: str, model_id: str, model_version: str) -> str:
    """The cache key of a recording's stems under one model.

    ``model_version`` must change whenever the output would: the weights'
    checksum, and any separation setting that changes the estimate (shifts,
    overlap, segment).
    """
    if not _SHA256.match(audio_sha256):
        raise ValueError(f"not a sha256 hex digest: {audio_sha256!r}")
    if not model_id or not model_version:
        raise ValueError("a stem cache key needs a model id and a model version")
    # NUL cannot occur in the parts, so different triples never join to one string.
    material = "\0".join((_KEY_SCHEME, audio_sha256, model_id, model_version))
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass(frozen=True)
class StemSet:
    """The stems of one cache key: stem name → blob sha256."""

    key: str
    stems: Mapping[str, str]
    provided: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "stems", MappingProxyType(dict(self.stems)))


class StemCache:
    """Stems in a blob store, listed in a stem index, separated at most once at a time.

    Args:
        blobs: where stem audio lives (content-addressed).
        index: which blobs are the stems of which key.
        samplerate: the rate of the stems the separate functions return.
    """

    def __init__(self, blobs: BlobStore, index: StemIndex, samplerate: int) -> None:
        self._blobs = blobs
        self._index = index
        self._samplerate = samplerate
        self._in_flight: dict[str, asyncio.Task[StemSet]] = {}

    async def get_or_separate(self, key: str, separate: SeparateFn) -> StemSet:
        """The stems of ``key``: stored ones, or ``separate()``'s result, stored.

        A caller arriving while the same key is being looked up or separated
        waits for that work instead of repeating it. The work is shielded:
        one waiter being cancelled does not cancel it for the others, and it
        still finishes (and is stored) if every waiter gave up.
        """
        task = self._in_flight.get(key)
        if task is None:
            task = asyncio.create_task(self._lookup_or_separate(key, separate))
            self._in_flight[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(task)

    async def put_provided(
        self, key: str, stems: Mapping[str, np.ndarray], samplerate: int | None = None
    ) -> StemSet:
        """Store stems that came with a recording; they are true stems, marked provided."""
        return await self._store(key, stems, provided=True, samplerate=samplerate)

    async def get(self, key: str) -> StemSet | None:
        """The stored stems of ``key`` whose blobs are all present, else ``None``."""
        entry = await self._index.get(key)
        if entry is None:
            return None
        for name, sha in entry.stems.items():
            if not await self._blobs.exists(sha):
                log.warning("stem %s of %s is indexed but its blob %s is gone", name, key, sha)
                return None
        return StemSet(key, entry.stems, entry.provided)

    async def read(self, stem_set: StemSet) -> dict[str, np.ndarray]:
        """Decode every stem of ``stem_set`` to ``(channels, n)`` float32 audio."""
        result: dict[str, np.ndarray] = {}
        for name, sha in stem_set.stems.items():
            data = await self._blobs.get_bytes(sha)
            result[name], _ = await asyncio.to_thread(decode_stem, data)
        return result

    async def _lookup_or_separate(self, key: str, separate: SeparateFn) -> StemSet:
        cached = await self.get(key)
        if cached is not None:
            return cached
        stems = await separate()
        return await self._store(key, stems, provided=False, samplerate=None)

    async def _store(
        self,
        key: str,
        stems: Mapping[str, np.ndarray],
        *,
        provided: bool,
        samplerate: int | None,
    ) -> StemSet:
        if not stems:
            raise ValueError("no stems to store")
        rate = samplerate or self._samplerate
        shas: dict[str, str] = {}
        for name, samples in stems.items():
            data = await asyncio.to_thread(encode_stem, samples, rate)
            shas[name] = await self._blobs.put_bytes(data)
        await self._index.put(key, shas, provided)
        return StemSet(key, shas, provided)

    def _forget(self, key: str, task: asyncio.Task[StemSet]) -> None:
        if self._in_flight.get(key) is task:
            del self._in_flight[key]
        if not task.cancelled() and task.exception() is not None:
            # Read here so a failure nobody waits for any more is not reported as
            # "never retrieved"; the waiters that remain get it from the await.
            log.debug("separation of %s failed", key, exc_info=task.exception())
