"""Recordings imported without stems: separated once by demucs, or refused politely."""

from __future__ import annotations

import asyncio

from core.model import RequestState
from jobs.embedded import EmbeddedQueue
from refrain.app import open_app
from tests.support.rendering import RenderWorld, fan


async def drop_stems(world: RenderWorld) -> None:
    async with open_app(world.settings) as app:
        recording = next(
            r for r in await app.stores.catalog.list_recordings() if r.title == world.song
        )
        assert recording.audio_sha256
        await app.stores.catalog.set_recording_audio(recording.id, recording.audio_sha256, {})
        again = await app.stores.catalog.get_recording(recording.id)
        assert again is not None and not again.stems


async def test_two_requests_share_one_separation(render_world: RenderWorld) -> None:
    await drop_stems(render_world)
    settings = render_world.settings.model_copy(update={"separation_model": "demucs_unittest"})
    async with open_app(settings, run_jobs=True) as app:
        assert isinstance(app.queue, EmbeddedQueue)
        alice, bob = await fan(app, "alice"), await fan(app, "bob")
        a = (await alice.send(f'cover "{render_world.song}" style:lofi length:4'))[0]
        b = (await bob.send(f'cover "{render_world.song}" style:acoustic length:4'))[0]
        await asyncio.wait_for(app.queue.join(), 180)
        for reply in (a, b):
            request = await app.stores.requests.get(reply.request_id or "")
            assert request is not None and request.state is RequestState.DELIVERED, request
    index = list((settings.blobs_dir / "stem-index").glob("*.json"))
    assert len(index) == 1  # one recording, one model: separated once


async def test_missing_weights_fail_clearly_and_refund(render_world: RenderWorld) -> None:
    await drop_stems(render_world)
    settings = render_world.settings.model_copy(
        update={"separation_model": "htdemucs",
                "models_dir": render_world.settings.blobs_dir.parent / "no-models"}
    )
    async with open_app(settings, run_jobs=True) as app:
        assert isinstance(app.queue, EmbeddedQueue)
        carol = await fan(app, "carol")
        reply = (await carol.send(f'cover "{render_world.song}" style:lofi length:4'))[0]
        await asyncio.wait_for(app.queue.join(), 60)
        request = await app.stores.requests.get(reply.request_id or "")
        assert request is not None and request.state is RequestState.FAILED
        assert request.error and "isn't ready for covers" in request.error
        assert "refunded" in request.error
        assert "0 of 60" in (await carol.send("quota"))[0].text
