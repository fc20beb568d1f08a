"""`refrain worker`: an arq worker that renders requests from Redis.

Resources (database, blob store, process pool, separation model) are created
once in ``on_startup`` and shared by every job through ``ctx``; the task
receives a request id only and loads the rest from storage.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from arq.connections import RedisSettings

from config import RefrainSettings, load_settings
from core.clock import SystemClock
from core.ports import BlobStore, Notifier, Stores
from jobs.arq_queue import RENDER_TASK, RedisNotifier
from jobs.pipeline import ProvidedStems, RenderJob, RenderSettings
from storage.blobs import LocalBlobStore
from storage.database import Database

log = logging.getLogger(__name__)


def audio_executor(settings: RefrainSettings) -> Executor | None:
    """A process pool for CPU-heavy audio; forkserver keeps the parent's threads out.

    ``workers = 0`` renders in the event loop's default thread pool instead.
    """
    if settings.workers == 0:
        return None
    return ProcessPoolExecutor(
        max_workers=settings.workers, mp_context=multiprocessing.get_context("forkserver")
    )


def build_render_job(
    settings: RefrainSettings,
    stores: Stores,
    blobs: BlobStore,
    notifier: Notifier,
    executor: Executor | None,
) -> RenderJob:
    return RenderJob(
        stores,
        blobs,
        ProvidedStems(blobs),
        notifier,
        SystemClock(),
        executor,
        RenderSettings(out_dir=settings.blobs_dir.parent / "tmp-renders"),
    )


async def startup(ctx: dict[str, Any]) -> None:
    settings: RefrainSettings = ctx.get("settings") or load_settings()
    database = await Database.open(settings.database_url)
    await database.check_schema()
    executor = audio_executor(settings)
    ctx.update(
        settings=settings,
        database=database,
        executor=executor,
        job=build_render_job(
            settings,
            database.stores,
            LocalBlobStore(settings.blobs_dir),
            RedisNotifier(ctx["redis"]),
            executor,
        ),
    )
    log.info("worker ready (database %s)", settings.masked()["database_url"])


async def shutdown(ctx: dict[str, Any]) -> None:
    if ctx.get("executor") is not None:
        ctx["executor"].shutdown(wait=False, cancel_futures=True)
    if "database" in ctx:
        await ctx["database"].close()


async def render(ctx: dict[str, Any], request_id: str) -> None:
    job: RenderJob = ctx["job"]
    await job.run(request_id)


render.__name__ = RENDER_TASK


def worker_options(settings: RefrainSettings, *, burst: bool = False) -> dict[str, Any]:
    """Keyword arguments for ``arq.worker.Worker``, built from Refrain's settings."""

    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx["settings"] = settings
        await startup(ctx)

    return {
        "functions": [render],
        "on_startup": on_startup,
        "on_shutdown": shutdown,
        "redis_settings": RedisSettings.from_dsn(settings.redis_url.get_secret_value()),
        "max_jobs": max(1, settings.workers),
        "job_timeout": settings.job_timeout_s,
        "max_tries": 5,
        "allow_abort_jobs": True,
        "burst": burst,
        "keep_result": 60,
    }
