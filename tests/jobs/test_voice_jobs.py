"""Voice covers in the queue: a revocation while the request waits refuses it and refunds."""

from __future__ import annotations

import asyncio

from bots.console import ConsoleSession
from core.catalog.demo import ACTIVE_VOICE_ID
from core.model import RequestState
from jobs.embedded import EmbeddedQueue
from refrain.app import open_app
from tests.support.rendering import RenderWorld, fan


async def test_voice_revoked_while_queued_is_refused_at_job_start_and_refunded(
    render_world: RenderWorld,
) -> None:
    async with open_app(render_world.settings) as app:  # stores and queues, renders nothing
        dave = await fan(app, "dave")
        voice = await app.stores.catalog.get_voice_model(ACTIVE_VOICE_ID)
        assert voice is not None
        reply = (await dave.send(f'cover "{render_world.song}" voice:"{voice.name}" length:5'))[0]
        assert reply.code == "QUEUED" and reply.request_id, reply.text
        await app.stores.catalog.revoke_voice_model(ACTIVE_VOICE_ID, app.clock.now())
    async with open_app(render_world.settings, run_jobs=True) as app:
        assert isinstance(app.queue, EmbeddedQueue)
        await asyncio.wait_for(app.queue.join(), timeout=120)
        request = await app.stores.requests.get(reply.request_id)
        assert request is not None and request.state is RequestState.FAILED
        assert request.error and "withdrew consent" in request.error and "refunded" in request.error
        assert await app.stores.clips.for_request(request.id) is None
        dave_again = ConsoleSession(app.handler.handle, "dave", "jobs")
        assert "0 of 60" in (await dave_again.send("quota"))[0].text
