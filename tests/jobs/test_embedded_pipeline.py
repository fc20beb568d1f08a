"""The embedded queue and the render job, end to end with real audio.

A fan's line goes through the console adapter, the request is stored with
its quota reservation, the embedded queue renders it from the song's true
stems, and the clip is checked by decoding it again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import numpy as np
import pytest

from core.model import RequestState
from engine.encode import decode_to_float
from engine.loudness import integrated_loudness
from jobs.embedded import EmbeddedQueue
from refrain.app import App, open_app
from tests.support.rendering import RenderWorld, fan


@pytest.fixture
async def serving(render_world: RenderWorld) -> AsyncIterator[App]:
    async with open_app(render_world.settings, run_jobs=True) as app:
        yield app


async def settle(app: App) -> None:
    assert isinstance(app.queue, EmbeddedQueue)
    await asyncio.wait_for(app.queue.join(), timeout=120)


async def test_cover_is_rendered_mastered_and_delivered(
    serving: App, render_world: RenderWorld
) -> None:
    alice = await fan(serving, "alice")
    assert serving.events is not None
    async with serving.events.subscribe() as events:
        reply = (await alice.send(f'cover "{render_world.song}" style:lofi length:6'))[0]
        assert reply.code == "QUEUED" and reply.request_id
        await settle(serving)
        kinds = []
        while not events.empty():
            kinds.append(events.get_nowait())
    request = await serving.stores.requests.get(reply.request_id)
    assert request is not None and request.state is RequestState.DELIVERED, request
    assert [e.stage for e in kinds if e.stage][:1] == ["separating"]
    assert kinds[-1].kind.value == "DELIVERED" and kinds[-1].clip_id == request.clip_id
    clip = await serving.stores.clips.get(request.clip_id or "")
    assert clip is not None and clip.license_version == request.license_version
    audio, rate = decode_to_float(serving.blobs.path_of(clip.audio_sha256))
    assert abs(audio.shape[1] / rate - 6.0) < 0.1
    assert abs(integrated_loudness(audio, rate) + 14.0) <= 1.0
    quota = (await alice.send("quota"))[0]
    assert "6 of 60" in quota.text  # committed, not refunded


async def test_failure_refunds_and_says_why(serving: App, render_world: RenderWorld) -> None:
    recording = next(
        r for r in await serving.stores.catalog.list_recordings() if r.title == render_world.song
    )
    serving.blobs.path_of(recording.stems["drums"]).write_bytes(b"not audio at all")
    bob = await fan(serving, "bob")
    reply = (await bob.send(f'cover "{render_world.song}" style:acoustic length:5'))[0]
    await settle(serving)
    request = await serving.stores.requests.get(reply.request_id or "")
    assert request is not None and request.state is RequestState.FAILED
    assert request.error and "refunded" in request.error
    assert "0 of 60" in (await bob.send("quota"))[0].text
    status = (await bob.send("status"))[0].text
    assert "failed" in status


async def test_cancel_while_queued_never_renders(render_world: RenderWorld) -> None:
    async with open_app(render_world.settings) as app:  # nobody renders: it stays queued
        carol = await fan(app, "carol")
        reply = (await carol.send(f'cover "{render_world.song}" style:lofi length:5'))[0]
        assert reply.request_id
        cancelled = (await carol.send(reply.buttons[0].command))[0]
        assert cancelled.code == "CANCELLED"
    async with open_app(render_world.settings, run_jobs=True) as app:
        await settle(app)
        request = await app.stores.requests.get(reply.request_id)
        assert request is not None and request.state is RequestState.CANCELLED
        assert await app.stores.clips.for_request(reply.request_id) is None


async def test_restart_resumes_queued_and_interrupted_jobs(render_world: RenderWorld) -> None:
    async with open_app(render_world.settings) as app:
        dave = await fan(app, "dave")
        erin = await fan(app, "erin")
        queued = (await dave.send(f'cover "{render_world.song}" style:8-bit length:4'))[0]
        running = (await erin.send(f'cover "{render_world.song}" style:synthwave length:4'))[0]
        assert queued.request_id and running.request_id
        claimed = await app.stores.requests.transition(
            running.request_id, frozenset({RequestState.QUEUED}), RequestState.RUNNING,
            app.clock.now(),
        )
        assert claimed is not None  # as if the process died mid-render
    async with open_app(render_world.settings, run_jobs=True) as app:
        await settle(app)
        for request_id in (queued.request_id, running.request_id):
            request = await app.stores.requests.get(request_id)
            assert request is not None and request.state is RequestState.DELIVERED
            clip = await app.stores.clips.for_request(request_id)
            assert clip is not None
            audio, rate = decode_to_float(app.blobs.path_of(clip.audio_sha256))
            assert np.isfinite(audio).all() and abs(audio.shape[1] / rate - 4.0) < 0.1
