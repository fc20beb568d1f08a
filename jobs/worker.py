"""`refrain worker`: an arq worker that renders requests from Redis.

Resources (database, blob store, process pool, separation model) are created
once in ``on_startup`` and shared by every job through ``ctx``; the task
receives a request id only and loads the rest from storage.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from arq.connections import RedisSettings

from config import RefrainSettings, load_settings
from core.clock import SystemClock
from core.ports import BlobStore, Notifier, Stores
from jobs.arq_queue import RENDER_TASK, RedisNotifier
from jobs.pipeline import ProvidedStems, RenderJob, RenderSettings, StemSource
from jobs.separation import MissingModelStems, SeparatedStems
from storage.blobs import LocalBlobStore
from storage.database import Database
from storage.stem_index import FileStemIndex

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


def separation_source(settings: RefrainSettings, blobs: BlobStore) -> StemSource:
    """Demucs for recordings without stems, loaded once; or a polite refusal without weights.

    Torch is only imported when there is something to load, so a deployment
    whose catalog always comes with stems starts fast.
    """
    name, folder = settings.separation_model, settings.models_dir
    has_files = folder.is_dir() and any(folder.glob("*.th"))
    if name != "demucs_unittest" and not has_files:
        return MissingModelStems(
            f"no separation weights in {folder}: install them with `refrain models install PATH`"
        )
    from core.audio.separation import (
        SeparationError,
        Separator,
        StemCache,
        load_separation_model,
    )

    try:
        model = load_separation_model(name, folder)
    except SeparationError as exc:
        log.warning("separation disabled: %s", exc)
        return MissingModelStems(str(exc))
    separator = Separator(model, device=settings.separation_device)
    cache = StemCache(blobs, FileStemIndex(settings.blobs_dir / "stem-index"), separator.samplerate)
    return SeparatedStems(blobs, cache, separator, name, model_fingerprint(model, separator))


def model_fingerprint(model: Any, separator: Any) -> str:
    """Changes whenever the stems would: the weights and the separation settings."""
    digest = hashlib.sha256()
    for key, tensor in sorted(model.state_dict().items()):
        digest.update(key.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    digest.update(f"{separator.overlap}:{separator.shifts}".encode())
    return digest.hexdigest()[:16]


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
        ProvidedStems(blobs, separation_source(settings, blobs)),
        notifier,
        SystemClock(),
        executor,
        RenderSettings(out_dir=settings.blobs_dir.parent / "tmp-renders"),
    )


async def startup(ctx: dict[str, Any]) -> None:
    settings: RefrainSettings = ctx.get("settings") or load_settings()
    database = await Database.open(settings.database_url)
    await database.ensure_schema()
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
