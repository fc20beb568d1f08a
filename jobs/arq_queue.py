"""The arq queue: requests become arq jobs on Redis, run by `refrain worker` processes.

The job id is the request id, so enqueuing twice is a no-op. The Redis
client connects lazily and reconnects on its own: a ``serve`` started while
Redis is down, or one that lives through an outage, simply gets errors
until Redis is back (submits are stored QUEUED meanwhile and the recovery
sweep hands them over). Events go over Redis pub/sub so bots on other hosts
can edit their messages.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Awaitable, Callable

from arq.connections import ArqRedis, RedisSettings
from arq.constants import in_progress_key_prefix, job_key_prefix
from arq.jobs import Job

from core.errors import UserFacing
from core.model import RenderRequest
from core.ports import JobEvent, JobEventKind

log = logging.getLogger(__name__)

RENDER_TASK = "render"
EVENTS_CHANNEL = "refrain:events"
DEFAULT_QUEUE_NAME = "arq:queue"


class QueueUnavailable(UserFacing):
    """Redis could not be reached; the request stays QUEUED and is enqueued later."""


def redis_client(redis_url: str, *, queue_name: str = DEFAULT_QUEUE_NAME) -> ArqRedis:
    """An arq Redis client that connects on first use and after every outage.

    Short socket timeouts: an unreachable Redis must answer a fan's submit in
    seconds ("saved; it starts when the queue is back"), not hang it.
    """
    settings = RedisSettings.from_dsn(redis_url)
    return ArqRedis(
        host=settings.host,
        port=settings.port,
        db=settings.database,
        username=settings.username,
        password=settings.password,
        ssl=settings.ssl,
        socket_connect_timeout=2,
        socket_timeout=5,
        encoding="utf8",
        default_queue_name=queue_name,
    )


def where(redis_url: str) -> str:
    """``host:port`` of a Redis URL, for operators' logs (never its password)."""
    settings = RedisSettings.from_dsn(redis_url)
    return f"{settings.host}:{settings.port}"


async def connect(redis_url: str, *, queue_name: str | None = None) -> ArqRedis:
    """A client that answered a ping; ``QueueUnavailable`` (naming host:port) otherwise."""
    client = redis_client(redis_url, queue_name=queue_name or DEFAULT_QUEUE_NAME)
    try:
        await client.ping()
    except Exception as exc:  # redis raises several connection error types
        await client.aclose()
        raise QueueUnavailable(f"Can't reach Redis at {where(redis_url)}") from exc
    return client


class ArqQueue:
    """``core.ports.JobQueue`` on arq."""

    def __init__(self, pool: ArqRedis, queue_name: str = DEFAULT_QUEUE_NAME) -> None:
        self._pool = pool
        self._queue_name = queue_name

    async def enqueue(self, request: RenderRequest, priority: int) -> None:
        await self.ensure(request, priority)

    async def ensure(self, request: RenderRequest, priority: int) -> bool:
        """A new job unless Redis holds one for the request (waiting, deferred or running)."""
        job = await self._pool.enqueue_job(
            RENDER_TASK, request.id, _job_id=request.id, _queue_name=self._queue_name
        )
        return job is not None

    async def holds(self, request_id: str) -> bool:
        return bool(
            await self._pool.exists(job_key_prefix + request_id, in_progress_key_prefix + request_id)
        )

    async def cancel(self, request_id: str) -> None:
        job = Job(request_id, self._pool, _queue_name=self._queue_name)
        await job.abort(timeout=0)

    async def position(self, request_id: str) -> int | None:
        """Rank in arq's queue (a sorted set scored by enqueue time): O(log n)."""
        rank = await self._pool.zrank(self._queue_name, request_id)
        return None if rank is None else int(rank) + 1

    async def depth(self) -> int:
        return int(await self._pool.zcard(self._queue_name))

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
        except Exception as exc:  # progress is best-effort; the request row is the truth
            log.info("could not publish %s for %s: %s", event.kind.value, event.request_id, exc)


async def relay_events(pool: ArqRedis, publish: Callable[[JobEvent], Awaitable[None]]) -> None:
    """Forward the workers' events from Redis pub/sub to local subscribers, until cancelled.

    Reconnects after a Redis outage (events are best-effort: the request rows
    are the truth, and adapters fall back to polling the status).
    """
    lost = False
    while True:
        try:
            async with pool.pubsub() as pubsub:
                await pubsub.subscribe(EVENTS_CHANNEL)
                if lost:
                    log.info("the Redis event channel is back")
                    lost = False
                while True:
                    # a bounded wait, not listen(): an idle channel is not a lost one
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is None or message.get("type") != "message":
                        continue
                    event = _event_of(message["data"])
                    if event is not None:
                        await publish(event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not lost:
                log.warning("lost the Redis event channel (%s); reconnecting every 1 s", exc)
                lost = True
            await asyncio.sleep(1.0)


def _event_of(data: bytes | str) -> JobEvent | None:
    try:
        payload = json.loads(data)
        payload["kind"] = JobEventKind(payload["kind"])
        return JobEvent(**payload)
    except (ValueError, KeyError, TypeError):
        log.warning("ignoring a malformed job event on %s", EVENTS_CHANNEL)
        return None
