"""Each recording is separated once per model; provided stems are never replaced."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import numpy as np
import pytest

from engine.separation import (
    InMemoryStemIndex,
    StemCache,
    StemSet,
    stem_cache_key,
)
from tests.engine.separation.conftest import SR, mix

AUDIO_SHA = hashlib.sha256(b"a recording").hexdigest()


class MemoryBlobs:
    """``core.ports.BlobStore`` in a dict."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    async def put_bytes(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        self.blobs[sha] = data
        return sha

    async def put_file(self, path: Path) -> str:
        return await self.put_bytes(path.read_bytes())

    async def get_bytes(self, sha256: str) -> bytes:
        return self.blobs[sha256]

    def path_of(self, sha256: str) -> Path:
        return Path("/nowhere") / sha256

    async def exists(self, sha256: str) -> bool:
        return sha256 in self.blobs


def stems(seed: int = 0) -> dict[str, np.ndarray]:
    audio = mix(0.2, seed=seed)
    # Past full scale on purpose: a float stem must come back unclipped.
    return {"drums": 1.7 * audio, "bass": 0.5 * audio, "other": -audio, "vocals": 1e-7 * audio}


class CountingSeparation:
    def __init__(self, result: dict[str, np.ndarray], gate: asyncio.Event | None = None) -> None:
        self.calls = 0
        self.result = result
        self.gate = gate

    async def __call__(self) -> dict[str, np.ndarray]:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        return self.result


@pytest.fixture
def blobs() -> MemoryBlobs:
    return MemoryBlobs()


@pytest.fixture
def index() -> InMemoryStemIndex:
    return InMemoryStemIndex()


@pytest.fixture
def cache(blobs: MemoryBlobs, index: InMemoryStemIndex) -> StemCache:
    return StemCache(blobs, index, samplerate=SR)


def test_the_key_depends_on_audio_model_and_version() -> None:
    key = stem_cache_key(AUDIO_SHA, "htdemucs", "955717e8/shifts=0")
    assert key == stem_cache_key(AUDIO_SHA, "htdemucs", "955717e8/shifts=0")
    assert len(key) == 64
    others = {
        stem_cache_key(hashlib.sha256(b"another").hexdigest(), "htdemucs", "955717e8/shifts=0"),
        stem_cache_key(AUDIO_SHA, "htdemucs_ft", "955717e8/shifts=0"),
        stem_cache_key(AUDIO_SHA, "htdemucs", "955717e8/shifts=1"),
    }
    assert key not in others and len(others) == 3
    with pytest.raises(ValueError, match="sha256"):
        stem_cache_key("not-a-hash", "htdemucs", "1")


async def test_a_miss_separates_and_a_hit_does_not(cache: StemCache) -> None:
    key = stem_cache_key(AUDIO_SHA, "htdemucs", "1")
    separation = CountingSeparation(stems())
    first = await cache.get_or_separate(key, separation)
    second = await cache.get_or_separate(key, separation)
    assert separation.calls == 1
    assert first == second and not first.provided
    assert set(first.stems) == {"drums", "bass", "other", "vocals"}
    decoded = await cache.read(second)
    for name, samples in stems().items():
        np.testing.assert_array_equal(decoded[name], samples)  # float WAV: bit for bit


async def test_concurrent_requests_share_one_separation(cache: StemCache) -> None:
    key = stem_cache_key(AUDIO_SHA, "htdemucs", "1")
    gate = asyncio.Event()
    separation = CountingSeparation(stems(), gate)
    waiting = [asyncio.create_task(cache.get_or_separate(key, separation)) for _ in range(3)]
    await asyncio.sleep(0.01)
    assert separation.calls == 1 and not any(task.done() for task in waiting)
    gate.set()
    results = await asyncio.gather(*waiting)
    assert separation.calls == 1
    assert results[0] == results[1] == results[2]


async def test_a_cancelled_waiter_does_not_cancel_the_separation(cache: StemCache) -> None:
    key = stem_cache_key(AUDIO_SHA, "htdemucs", "1")
    gate = asyncio.Event()
    separation = CountingSeparation(stems(), gate)
    impatient = asyncio.create_task(cache.get_or_separate(key, separation))
    patient = asyncio.create_task(cache.get_or_separate(key, separation))
    await asyncio.sleep(0.01)
    impatient.cancel()
    gate.set()
    assert isinstance(await patient, StemSet)
    assert impatient.cancelled() and separation.calls == 1


async def test_a_failed_separation_reaches_every_waiter_and_is_retried(
    cache: StemCache,
) -> None:
    key = stem_cache_key(AUDIO_SHA, "htdemucs", "1")
    calls = 0

    async def failing() -> dict[str, np.ndarray]:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise RuntimeError("model exploded")

    results = await asyncio.gather(
        cache.get_or_separate(key, failing),
        cache.get_or_separate(key, failing),
        return_exceptions=True,
    )
    assert calls == 1 and all(isinstance(r, RuntimeError) for r in results)
    retried = await cache.get_or_separate(key, CountingSeparation(stems()))
    assert set(retried.stems) == {"drums", "bass", "other", "vocals"}


async def test_provided_stems_are_marked_and_skip_separation(
    cache: StemCache, index: InMemoryStemIndex
) -> None:
    key = stem_cache_key(AUDIO_SHA, "htdemucs", "1")
    provided = await cache.put_provided(key, stems(seed=3))
    assert provided.provided
    separation = CountingSeparation(stems())
    assert await cache.get_or_separate(key, separation) == provided
    assert separation.calls == 0
    entry = await index.get(key)
    assert entry is not None and entry.provided


async def test_stems_whose_blob_vanished_are_separated_again(cache: StemCache, blobs: MemoryBlobs) -> None:
    key = stem_cache_key(AUDIO_SHA, "htdemucs", "1")
    first = await cache.get_or_separate(key, CountingSeparation(stems()))
    del blobs.blobs[first.stems["bass"]]
    separation = CountingSeparation(stems())
    again = await cache.get_or_separate(key, separation)
    assert separation.calls == 1 and again.stems == first.stems
