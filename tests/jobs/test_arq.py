"""The arq queue on the real Redis: idempotent jobs, workers, outages, kill -9."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from redis.asyncio import Redis

from config import RefrainSettings
from core.model import RequestState
from jobs.arq_queue import ArqQueue, connect
from jobs.worker import run_worker
from refrain.app import App, open_app
from tests.support.rendering import RenderWorld, fan
from tests.support.services import require_redis

pytestmark = pytest.mark.redis


@pytest.fixture
async def redis_db() -> AsyncIterator[str]:
    """A Redis database of our own, flushed before and after."""
    base = require_redis()
    url = f"{base}/9"
    client = Redis.from_url(url)
    await client.flushdb()
    yield url
    await client.flushdb()
    await client.aclose()


@pytest.fixture
def arq_settings(render_world: RenderWorld, redis_db: str) -> RefrainSettings:
    from pydantic import SecretStr

    return render_world.settings.model_copy(
        update={"queue": "arq", "redis_url": SecretStr(redis_db), "lease_s": 3.0}
    )


async def burst(settings: RefrainSettings) -> None:
    """A worker in this process that stops when the queue is empty."""
    await asyncio.wait_for(run_worker(settings, burst=True, stop=asyncio.Event()), 120)


async def test_enqueue_is_idempotent_and_has_positions(arq_settings: RefrainSettings) -> None:
    async with open_app(arq_settings) as app:
        assert isinstance(app.queue, ArqQueue)
        a = await fan(app, "alice")
        b = await fan(app, "bob")
        first = (await a.send('cover "Golden Hour" style:lofi length:5'))[0]
        second = (await b.send('cover "Golden Hour" style:acoustic length:5'))[0]
        assert first.request_id and second.request_id
        assert "1st in line" in first.text and "2nd in line" in second.text
        request = await app.stores.requests.get(first.request_id)
        assert request is not None
        await app.queue.enqueue(request, 0)  # again: still one job
        assert await app.queue.position(first.request_id) == 1
        assert await app.queue.position(second.request_id) == 2


async def test_worker_renders_and_delivers(arq_settings: RefrainSettings) -> None:
    async with open_app(arq_settings) as app:
        alice = await fan(app, "alice")
        reply = (await alice.send('cover "Golden Hour" style:8-bit length:4'))[0]
        assert reply.request_id
    await burst(arq_settings)
    async with open_app(arq_settings) as app:
        request = await app.stores.requests.get(reply.request_id)
        assert request is not None and request.state is RequestState.DELIVERED
        assert await app.stores.clips.for_request(reply.request_id) is not None


async def test_redis_down_at_submit_keeps_the_request(arq_settings: RefrainSettings) -> None:
    from pydantic import SecretStr

    down = arq_settings.model_copy(update={"redis_url": SecretStr("redis://127.0.0.1:1/0")})
    async with open_app(down) as app:
        assert isinstance(app.queue, ArqQueue)  # connects when Redis answers, not only at start
        carol = await fan(app, "carol")
        reply = (await carol.send('cover "Golden Hour" style:lofi length:5'))[0]
        assert reply.code == "QUEUED" and "unreachable" in reply.text
        assert reply.request_id
    async with open_app(arq_settings) as app:  # Redis is back: recovery enqueues it
        assert await app.requests.recover() == 1
        assert await app.queue.position(reply.request_id) == 1


async def test_cancel_of_queued_arq_job(arq_settings: RefrainSettings) -> None:
    async with open_app(arq_settings) as app:
        dave = await fan(app, "dave")
        reply = (await dave.send('cover "Golden Hour" style:lofi length:5'))[0]
        assert (await dave.send(reply.buttons[0].command))[0].code == "CANCELLED"
    await burst(arq_settings)
    async with open_app(arq_settings) as app:
        request = await app.stores.requests.get(reply.request_id or "")
        assert request is not None and request.state is RequestState.CANCELLED
        assert await app.stores.clips.for_request(request.id) is None


@contextmanager
def worker_process(settings: RefrainSettings, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A real `refrain worker` in its own process group, always killed at the end."""
    env = {
        **os.environ,
        "REFRAIN_DATABASE_URL": settings.database_url,
        "REFRAIN_BLOBS_DIR": str(settings.blobs_dir),
        "REFRAIN_REDIS_URL": settings.redis_url.get_secret_value(),
        "REFRAIN_QUEUE": "arq",
        "REFRAIN_WORKERS": "0",
        "REFRAIN_LEASE_S": "3",
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "refrain", "worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


async def wait_for_state(app: App, request_id: str, done: Callable[[RequestState], bool],
                         seconds: float) -> RequestState:
    deadline = time.monotonic() + seconds
    while True:
        request = await app.stores.requests.get(request_id)
        assert request is not None
        if done(request.state) or time.monotonic() > deadline:
            return request.state
        await asyncio.sleep(0.02)


@pytest.mark.slow
async def test_worker_killed_mid_job_delivers_exactly_once(
    arq_settings: RefrainSettings, tmp_path: Path
) -> None:
    async with open_app(arq_settings) as app:
        erin = await fan(app, "erin")
        reply = (await erin.send('cover "Golden Hour" style:drum-and-bass length:10'))[0]
        request_id = reply.request_id
        assert request_id
        first_log, second_log = tmp_path / "worker1.log", tmp_path / "worker2.log"
        with worker_process(arq_settings, first_log) as first:
            state = await wait_for_state(
                app, request_id, lambda s: s is not RequestState.QUEUED, 60
            )
            assert state is RequestState.RUNNING, first_log.read_text()
            os.killpg(first.pid, signal.SIGKILL)  # mid-render, no goodbye
        with worker_process(arq_settings, second_log):
            state = await wait_for_state(app, request_id, lambda s: s.final, 90)
        assert state is RequestState.DELIVERED, second_log.read_text()[-2000:]
        request = await app.stores.requests.get(request_id)
        clip = await app.stores.clips.for_request(request_id)
        assert request is not None and clip is not None and clip.id == request.clip_id
        quota = (await erin.send("quota"))[0].text
        assert "10 of 60" in quota  # charged once


async def test_connect_reports_unreachable_redis() -> None:
    from jobs.arq_queue import QueueUnavailable

    with pytest.raises(QueueUnavailable, match=r"127\.0\.0\.1:1"):
        await connect("redis://127.0.0.1:1/0")
