"""The arq queue: requests become arq jobs on Redis, run by `refrain worker` processes.

The job id is the request id, so enqueuing twice is a no-op and a worker
killed mid-job leaves the job in Redis to be picked up again once its
in-progress lock expires (the render job itself is idempotent). Events go
over Redis pub/sub so bots on other hosts can edit their messages.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Awaitable, Callable

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.jobs import Job

from core.model import RenderRequest
from core.ports import JobEvent, JobEventKind

log = logging.getLogger(__name__)

RENDER_TASK = "render"
EVENTS_CHANNEL = "refrain:events"


class QueueUnavailable(Exception):
    """Redis could not be reached; the request stays QUEUED and is enqueued later."""


async def connect(redis_url: str, *, queue_name: str | None = None) -> ArqRedis:
    settings = RedisSettings.from_dsn(redis_url)
    settings.conn_retries = 1
    settings.conn_timeout = 2
    try:
        return await create_pool(settings, default_queue_name=queue_name or "arq:queue")
    except Exception as exc:  # redis raises several connection error types
        raise QueueUnavailable(f"Can't reach Redis at {settings.host}:{settings.port}") from exc


class ArqQueue:
    """``core.ports.JobQueue`` on arq."""

    def __init__(self, pool: ArqRedis, queue_name: str = "arq:queue") -> None:
        self._pool = pool
        self._queue_name = queue_name

    async def enqueue(self, request: RenderRequest, priority: int) -> None:
        await self._pool.enqueue_job(
            RENDER_TASK, request.id, _job_id=request.id, _queue_name=self._queue_name
        )

    async def cancel(self, request_id: str) -> None:
        job = Job(request_id, self._pool, _queue_name=self._queue_name)
        await job.abort(timeout=0)

    async def position(self, request_id: str) -> int | None:
        """Rank in arq's queue (a sorted set scored by enqueue time): O(log n)."""
        rank = await self._pool.zrank(self._queue_name, request_id)
        return None if rank is None else int(rank) + 1

    async def close(self) -> None:
        await self._pool.aclose()


class RedisNotifier:
    """Publishes job events as JSON on a Redis channel."""

    def __init__(self, pool: ArqRedis) -> None:
        self._pool = pool

    async def publish(self, event: JobEvent) -> None:
        payload = dataclasses.asdict(event)
        payload["kind"] = event.kind.value
        try:
            await self._pool.publish(EVENTS_CHANNEL, json.dumps(payload))
        except Exception:  # progress is best-effort; the request row is the truth
            log.warning("could not publish %s for %s", event.kind, event.request_id, exc_info=True)


async def relay_events(pool: ArqRedis, publish: Callable[[JobEvent], Awaitable[None]]) -> None:
    """Forward the workers' events from Redis pub/sub to local subscribers, until cancelled.

    Reconnects after a Redis blip (events are best-effort: the request rows
    are the truth, and adapters fall back to polling the status).
    """
    while True:
        try:
            async with pool.pubsub() as pubsub:
                await pubsub.subscribe(EVENTS_CHANNEL)
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    event = _event_of(message["data"])
                    if event is not None:
                        await publish(event)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("lost the Redis event channel; reconnecting in 1 s", exc_info=True)
            await asyncio.sleep(1.0)


def _event_of(data: bytes | str) -> JobEvent | None:
    try:
        payload = json.loads(data)
        payload["kind"] = JobEventKind(payload["kind"])
        return JobEvent(**payload)
    except (ValueError, KeyError, TypeError):
        log.warning("ignoring a malformed job event on %s", EVENTS_CHANNEL)
        return None
