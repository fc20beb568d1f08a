"""`refrain worker`: renders requests from Redis, and lives through outages.

The process's resources (database, render processes, the render job) are
made once. An arq ``Worker`` polls Redis; when Redis goes away the worker's
poll loop fails, the jobs already running finish (the database is the
truth), and a new ``Worker`` starts as soon as Redis answers again. Each
state change is logged once. The process ends only on SIGTERM/SIGINT: it
stops taking jobs, gives running ones ``shutdown_grace_s``, and hands the
rest back (their claims are released, so another worker takes them at once).

While a job runs, its arq "in progress" key is kept alive for ``lease_s``
at a time (arq itself sets it for the whole job timeout), so a worker that
dies loses its jobs to another worker within ``lease_s``, while a long
render may still take up to ``job_timeout_s``. The worker also runs the
recovery sweep (one instance at a time across all of them) and, outside
burst mode, the stem warmer (``jobs.warming``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from dataclasses import dataclass
from typing import Any

from arq.connections import ArqRedis
from arq.constants import in_progress_key_prefix
from arq.worker import Retry, Worker

from config import RefrainSettings
from core.clock import SystemClock
from core.requests import RecoverySweep, SweepSettings
from jobs import metrics
from jobs.arq_queue import RENDER_TASK, ArqQueue, RedisNotifier, redis_client, where
from jobs.pipeline import RenderJob
from jobs.resources import build_render_job, separation_source, stem_warmer
from jobs.runners import AudioRunner, audio_runner
from jobs.warming import StemWarmer
from storage import Database, LocalBlobStore

log = logging.getLogger(__name__)

ARQ_MAX_TRIES = 10_000
"""arq's own try limit is not ours: a job waits out outages (RetryIn), and the request's
claims and deadline (in the database) decide when it has been tried enough."""


@dataclass
class WorkerResources:
    settings: RefrainSettings
    database: Database
    runner: AudioRunner
    redis: ArqRedis
    job: RenderJob
    warmer: StemWarmer | None = None

    async def close(self) -> None:
        self.runner.close()
        await self.database.close()
        with contextlib.suppress(Exception):
            await self.redis.aclose()


async def open_database(settings: RefrainSettings, stop: asyncio.Event) -> Database | None:
    """The database, waiting (and saying so once) while it is unreachable; None if stopped."""
    down_since: float | None = None
    attempt = 0
    while not stop.is_set():
        try:
            database = await Database.open(settings.database_url)
            await database.ensure_schema()
        except Exception as exc:
            if down_since is None:
                down_since = time.monotonic()
                log.error("the database is unreachable (%s); retrying until it answers", exc)
            attempt += 1
            await _sleep_or_stop(min(30.0, 0.5 * 2 ** min(attempt, 6)), stop)
            continue
        if down_since is not None:
            log.info("the database answered after %.0f s", time.monotonic() - down_since)
        return database
    return None


async def render(ctx: dict[str, Any], request_id: str) -> None:
    """The arq task: run the render job, keeping the job's in-progress key short-lived."""
    job: RenderJob = ctx["job"]
    settings: RefrainSettings = ctx["settings"]
    done = asyncio.Event()
    keeper = asyncio.create_task(
        _keep_in_progress(ctx["redis"], request_id, settings.lease_s, done)
    )
    try:
        retry = await job.run(request_id, int(ctx.get("job_try") or 1))
    finally:
        done.set()  # not cancel(): a cancellation that lands inside the Redis client can be lost
        await asyncio.gather(keeper, return_exceptions=True)
    if retry is not None:
        raise Retry(defer=retry.seconds)


render.__name__ = RENDER_TASK


async def _keep_in_progress(
    redis: ArqRedis, job_id: str, lease_s: float, done: asyncio.Event
) -> None:
    """Renew arq's in-progress key for ``lease_s`` at a time until ``done``."""
    key = in_progress_key_prefix + job_id
    while not done.is_set():
        try:
            await redis.pexpire(key, int(lease_s * 1000))
        except Exception as exc:  # Redis down: arq's poll loop says so
            log.debug("could not renew the in-progress key of %s: %s", job_id, exc)
        await _sleep_or_stop(max(0.2, lease_s / 3), done)


def arq_worker(resources: WorkerResources, *, burst: bool = False) -> Worker:
    settings = resources.settings
    return Worker(
        functions=[render],
        queue_name=settings.queue_name,
        redis_pool=resources.redis,
        ctx={"settings": settings, "job": resources.job, "database": resources.database},
        handle_signals=False,
        burst=burst,
        max_jobs=max(1, settings.workers),
        # our own time limit fails the request with a refund; arq's only backs it up
        job_timeout=settings.job_timeout_s + 120,
        max_tries=ARQ_MAX_TRIES,
        allow_abort_jobs=True,
        keep_result=0,  # results live in the database; a kept one would block re-enqueueing
        poll_delay=0.5,
    )


async def open_resources(settings: RefrainSettings, stop: asyncio.Event) -> WorkerResources | None:
    database = await open_database(settings, stop)
    if database is None:
        return None
    redis = redis_client(settings.redis_url.get_secret_value(), queue_name=settings.queue_name)
    runner = audio_runner(settings.workers)
    blobs = LocalBlobStore(settings.blobs_dir)
    separated = separation_source(settings, blobs)
    job = build_render_job(
        settings, database.stores, blobs, RedisNotifier(redis), runner, separated=separated
    )
    warmer = stem_warmer(settings, database.stores.catalog, separated)
    return WorkerResources(settings, database, runner, redis, job, warmer)


async def run_worker(
    settings: RefrainSettings, *, burst: bool = False, stop: asyncio.Event | None = None
) -> None:
    """Take jobs until ``stop`` is set (SIGTERM/SIGINT) or, with ``burst``, the queue is empty."""
    stop = stop or _stop_on_signals()
    metrics.setup(settings.metrics_dir)
    resources = await open_resources(settings, stop)
    if resources is None:
        return
    sweep = RecoverySweep(
        resources.database.stores,
        ArqQueue(resources.redis, settings.queue_name),
        SystemClock(),
        SweepSettings.every(settings.sweep_interval_s),
    )
    sweep_stop = asyncio.Event()
    sweeping = asyncio.create_task(sweep.run_forever(sweep_stop), name="recovery-sweep")
    warming = (
        asyncio.create_task(resources.warmer.run_forever(sweep_stop), name="stem-warmer")
        if resources.warmer is not None and not burst
        else None
    )
    redis_at = where(settings.redis_url.get_secret_value())
    try:
        while not stop.is_set():
            if not await _wait_for_redis(resources.redis, redis_at, stop):
                break
            worker = arq_worker(resources, burst=burst)
            log.info("worker taking jobs from %s (queue %s)", redis_at, settings.queue_name)
            ended = await _run_until_stop_or_failure(worker, stop, settings.shutdown_grace_s)
            if ended == "burst-done":
                break
    finally:
        sweep_stop.set()  # let a sweep in progress finish its transaction
        await asyncio.wait({sweeping}, timeout=10)
        sweeping.cancel()
        if warming is not None:
            warming.cancel()
        await asyncio.gather(sweeping, *([warming] if warming else []), return_exceptions=True)
        await resources.close()


async def _wait_for_redis(redis: ArqRedis, redis_at: str, stop: asyncio.Event) -> bool:
    """Until Redis answers a ping (logging the outage once); False if stopped meanwhile."""
    down_since: float | None = None
    attempt = 0
    while not stop.is_set():
        try:
            await redis.ping()
        except Exception as exc:
            if down_since is None:
                down_since = time.monotonic()
                log.error("Redis at %s is unreachable (%s); reconnecting with backoff",
                          redis_at, type(exc).__name__)
                metrics.redis_up(False)
            attempt += 1
            await _sleep_or_stop(min(5.0, 0.25 * 2 ** min(attempt, 6)), stop)
            continue
        if down_since is not None:
            log.info("Redis at %s is back after %.0f s", redis_at, time.monotonic() - down_since)
        metrics.redis_up(True)
        return True
    return False


async def _run_until_stop_or_failure(worker: Worker, stop: asyncio.Event, grace_s: float) -> str:
    """Poll until stopped ("stopped"), done in burst mode ("burst-done") or Redis fails ("lost")."""
    main = asyncio.create_task(worker.main(), name="arq-worker")
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({main, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if main.done():
        error = main.exception() if not main.cancelled() else None
        if error is None:
            return "burst-done"
        log.error("lost Redis while polling (%s: %s); running jobs finish, then reconnecting",
                  type(error).__name__, error)
        metrics.redis_up(False)
        await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
        return "lost"
    worker.allow_pick_jobs = False
    running = [t for t in worker.tasks.values() if not t.done()]
    if running:
        log.info("stopping: %d running job(s) get %.0f s to finish", len(running), grace_s)
        await asyncio.wait(running, timeout=grace_s)
    for task in worker.tasks.values():
        task.cancel()
    await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
    main.cancel()
    await asyncio.gather(main, return_exceptions=True)
    return "stopped"


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    with contextlib.suppress(NotImplementedError):
        loop.add_signal_handler(signal.SIGUSR1, _log_tasks)
    return stop


def _log_tasks() -> None:
    """SIGUSR1: log what every task of the worker is waiting on (for a stuck-looking worker)."""
    for task in asyncio.all_tasks():
        frames = task.get_stack(limit=8)
        where = " <- ".join(f"{f.f_code.co_name}:{f.f_lineno}" for f in reversed(frames))
        log.info("task %s: %s", task.get_name(), where or "(not started)")


async def _sleep_or_stop(seconds: float, stop: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
