"""The blob store stays bounded: sources kept, old clips expire, caches evicted LRU."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from config import RefrainSettings
from core.model import Clip, RequestState, Transformation
from jobs.maintenance import collect_garbage
from jobs.resources import temp_dir
from refrain.app import open_app
from storage.migrate import upgrade
from tests.support.rendering import RenderWorld, fan


async def test_gc_keeps_sources_expires_clips_and_caps_caches(
    render_world: RenderWorld, tmp_path: Path
) -> None:
    root = render_world.settings.blobs_dir
    async with open_app(render_world.settings) as app:
        alice = await fan(app, "alice")
        reply = (await alice.send(f'cover "{render_world.song}" style:lofi length:5'))[0]
        request_id = reply.request_id or ""
        request = await app.stores.requests.get(request_id)
        assert request is not None
        old_sha = await app.blobs.put_bytes(b"an old delivered clip")
        new_sha = await app.blobs.put_bytes(b"a fresh delivered clip")
        now = datetime.now(UTC)
        await app.stores.clips.add(Clip(
            "clip-old", request_id, request.recording_id, Transformation.COVER, "lofi", None,
            request.license_id, request.license_version, request.user_id, old_sha, 5.0, None,
            now - timedelta(days=40),
        ))
        second = (await alice.send(f'cover "{render_world.song}" style:acoustic length:5'))[0]
        second_req = await app.stores.requests.get(second.request_id or "")
        assert second_req is not None and second_req.state is RequestState.QUEUED
        await app.stores.clips.add(Clip(
            "clip-new", second_req.id, second_req.recording_id, Transformation.COVER,
            "acoustic", None, second_req.license_id, second_req.license_version,
            second_req.user_id, new_sha, 5.0, None, now,
        ))
        cold = await app.blobs.put_bytes(b"c" * 4000)  # a cache nobody used for a while
        warm = await app.blobs.put_bytes(b"w" * 4000)
        past = time.time() - 3600
        os.utime(app.blobs.path_of(cold), (past, past))
        temp = root / "ab" / ".half-written.part"
        temp.parent.mkdir(parents=True, exist_ok=True)
        temp.write_bytes(b"x")
        os.utime(temp, (past - 7200, past - 7200))
        recording = await app.stores.catalog.get_recording(request.recording_id)
        assert recording is not None and recording.stems
        sources = [recording.audio_sha256, *recording.stems.values()]

        dry = await collect_garbage(app.stores, root, now=now, clip_retention=timedelta(days=30),
                                    cache_max_bytes=5000, dry_run=True)
        assert app.blobs.path_of(old_sha) in dry.removed and app.blobs.path_of(old_sha).exists()

        report = await collect_garbage(app.stores, root, now=now,
                                       clip_retention=timedelta(days=30), cache_max_bytes=5000)
    assert not app.blobs.path_of(old_sha).exists()
    assert app.blobs.path_of(new_sha).exists()
    assert not app.blobs.path_of(cold).exists() and app.blobs.path_of(warm).exists()
    assert not temp.exists()
    assert all(app.blobs.path_of(sha).exists() for sha in sources if sha)
    assert report.cache_bytes <= 5000 and report.freed_bytes > 0
    assert "removed" in report.summary()


async def test_gc_sweeps_what_a_killed_worker_left_in_the_temporary_area(tmp_path: Path) -> None:
    """Renders and deliveries are made under ``.tmp/``; a dead worker's leftovers go."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'gc.db'}"
    settings = RefrainSettings(database_url=url, blobs_dir=tmp_path / "blobs")
    stale = temp_dir(settings, "renders") / "0193-half-made.flac"
    fresh = temp_dir(settings, "deliveries") / "0194-in-progress.opus"
    for path in (stale, fresh):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"partial audio")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    await upgrade(url)
    async with open_app(settings) as app:
        report = await collect_garbage(
            app.stores, settings.blobs_dir, now=datetime.now(UTC),
            clip_retention=timedelta(days=30), cache_max_bytes=10**9,
        )
    assert stale in report.removed and not stale.exists()
    assert fresh.exists() and fresh not in report.removed
