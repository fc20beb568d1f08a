"""The local content-addressed blob store."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.blobs import LocalBlobStore


async def test_bytes_round_trip_at_the_fanned_out_path(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    data = b"a clip's worth of audio"
    sha = await store.put_bytes(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.path_of(sha) == tmp_path / "blobs" / sha[:2] / sha[2:4] / sha
    assert await store.exists(sha)
    assert await store.get_bytes(sha) == data
    assert await store.put_bytes(data) == sha  # storing again is a no-op
    assert oct(store.path_of(sha).stat().st_mode & 0o777) == oct(0o644)


async def test_files_stream_in_and_match_their_hash(tmp_path: Path) -> None:
    source = tmp_path / "big.wav"
    data = os.urandom(3 * 1024 * 1024 + 17)  # several chunks and a ragged end
    source.write_bytes(data)
    store = LocalBlobStore(tmp_path / "blobs")
    sha = await store.put_file(source)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.path_of(sha).read_bytes() == data
    assert await store.put_file(source) == sha
    assert await store.put_bytes(data) == sha
    assert _leftovers(store) == []


async def test_missing_and_malformed_hashes(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    missing = "0" * 64
    assert not await store.exists(missing)
    with pytest.raises(FileNotFoundError):
        await store.get_bytes(missing)
    for bad in ("../../etc/passwd", "ABC", "g" * 64, "0" * 63):
        with pytest.raises(ValueError, match="sha256"):
            store.path_of(bad)


async def test_a_failed_write_leaves_no_blob_and_no_temp_file(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")

    def chunks() -> Iterator[bytes]:
        yield b"half of the "
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        await asyncio.to_thread(store._write_atomically, chunks())
    assert _blobs(store) == []
    assert _leftovers(store) == []


async def test_readers_never_see_a_partial_blob(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    data = os.urandom(2 * 1024 * 1024)
    sha = hashlib.sha256(data).hexdigest()
    seen: list[int] = []

    async def watch() -> None:
        path = store.path_of(sha)
        for _ in range(500):
            if path.exists():
                seen.append(len(path.read_bytes()))
            await asyncio.sleep(0)

    results = await asyncio.gather(*(store.put_bytes(data) for _ in range(4)), watch())
    assert set(results[:4]) == {sha}
    assert all(size == len(data) for size in seen)
    assert _leftovers(store) == []


def _blobs(store: LocalBlobStore) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.is_file() and ".tmp" not in p.parts]


def _leftovers(store: LocalBlobStore) -> list[Path]:
    staging = store.root / ".tmp"
    return list(staging.iterdir()) if staging.exists() else []
