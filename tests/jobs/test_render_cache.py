"""The render cache: the same cover is rendered once; memory errors retry, then refund."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from core.model import RequestState
from engine.render import RenderedFile, render_master_file
from jobs.embedded import EmbeddedQueue
from jobs.pipeline import RenderJob
from refrain.app import App, open_app
from tests.support.rendering import RenderWorld, fan


class CountingRender:
    """The real renderer, counting its calls; optionally out of memory for the first ones."""

    def __init__(self, fail_first: int = 0) -> None:
        self.calls = 0
        self.fail_first = fail_first

    def __call__(self, *args: Any) -> RenderedFile:
        self.calls += 1
        if self.calls <= self.fail_first:
            raise MemoryError("simulated: not enough memory for this render")
        return render_master_file(*args)


@pytest.fixture
async def serving(render_world: RenderWorld) -> AsyncIterator[App]:
    async with open_app(render_world.settings, run_jobs=True) as app:
        yield app


def install(app: App, render: CountingRender) -> None:
    """Swap the renderer of the running job for the counting one (same job, same stores)."""
    assert isinstance(app.queue, EmbeddedQueue)
    job = app.queue._run_job.__self__  # type: ignore[attr-defined]
    assert isinstance(job, RenderJob)
    job._render = render
    job._settings = type(job._settings)(out_dir=job._settings.out_dir, backoff_s=0.01)


async def settle(app: App) -> None:
    assert isinstance(app.queue, EmbeddedQueue)
    await asyncio.wait_for(app.queue.join(), timeout=120)


async def test_second_identical_cover_comes_from_the_cache(
    serving: App, render_world: RenderWorld
) -> None:
    render = CountingRender()
    install(serving, render)
    alice, bob = await fan(serving, "alice"), await fan(serving, "bob")
    first = (await alice.send(f'cover "{render_world.song}" style:lofi length:5'))[0]
    await settle(serving)
    second = (await bob.send(f'cover "{render_world.song}" style:lofi length:5'))[0]
    await settle(serving)
    other_length = (await bob.send(f'cover "{render_world.song}" style:lofi length:4'))[0]
    await settle(serving)
    assert render.calls == 2  # the 5-s lofi once, the 4-s one once
    clips = [
        await serving.stores.clips.for_request(r.request_id or "")
        for r in (first, second, other_length)
    ]
    assert all(c is not None for c in clips)
    a, b, c = clips
    assert a and b and c and a.id != b.id  # one clip per request…
    assert a.audio_sha256 == b.audio_sha256  # …sharing one master
    assert c.audio_sha256 != a.audio_sha256


async def test_cache_entry_whose_file_was_collected_renders_again(
    serving: App, render_world: RenderWorld
) -> None:
    render = CountingRender()
    install(serving, render)
    carol = await fan(serving, "carol")
    first = (await carol.send(f'cover "{render_world.song}" style:8-bit length:4'))[0]
    await settle(serving)
    clip = await serving.stores.clips.for_request(first.request_id or "")
    assert clip is not None
    Path(serving.blobs.path_of(clip.audio_sha256)).unlink()  # as `refrain blobs gc` would
    again = (await carol.send(f'cover "{render_world.song}" style:8-bit length:4'))[0]
    await settle(serving)
    request = await serving.stores.requests.get(again.request_id or "")
    assert request is not None and request.state is RequestState.DELIVERED
    assert render.calls == 2


async def test_out_of_memory_retries_then_delivers(serving: App, render_world: RenderWorld) -> None:
    render = CountingRender(fail_first=1)
    install(serving, render)
    dave = await fan(serving, "dave")
    reply = (await dave.send(f'cover "{render_world.song}" style:acoustic length:4'))[0]
    await settle(serving)
    request = await serving.stores.requests.get(reply.request_id or "")
    assert request is not None and request.state is RequestState.DELIVERED
    assert render.calls == 2


async def test_out_of_memory_every_time_fails_clearly_and_refunds(
    serving: App, render_world: RenderWorld
) -> None:
    render = CountingRender(fail_first=99)
    install(serving, render)
    erin = await fan(serving, "erin")
    reply = (await erin.send(f'cover "{render_world.song}" style:synthwave length:4'))[0]
    await settle(serving)
    request = await serving.stores.requests.get(reply.request_id or "")
    assert request is not None and request.state is RequestState.FAILED
    assert request.error and "refunded" in request.error
    assert render.calls == 3  # max_attempts
    assert "0 of 60" in (await erin.send("quota"))[0].text
    running = await serving.stores.requests.list_in_states(frozenset({RequestState.RUNNING}))
    assert running == []


async def test_another_take_is_a_new_render(serving: App, render_world: RenderWorld) -> None:
    render = CountingRender()
    install(serving, render)
    gina = await fan(serving, "gina")
    first = (await gina.send(f'cover "{render_world.song}" style:lofi length:4'))[0]
    await settle(serving)
    second = (await gina.send(f'cover "{render_world.song}" style:lofi length:4 take:2'))[0]
    await settle(serving)
    a = await serving.stores.clips.for_request(first.request_id or "")
    b = await serving.stores.clips.for_request(second.request_id or "")
    assert a and b and a.audio_sha256 != b.audio_sha256
    assert render.calls == 2
