"""Wiring: builds Refrain's object graph from settings. Nothing else lives here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from config import RefrainSettings
from core.catalog.search import CatalogIndex, SearchHit
from core.chat.handler import ChatHandler
from core.clock import SystemClock
from core.deliveries import DeliveryService, MarkingKey, Tracer
from core.model import RenderRequest, SubjectKind, Tier
from core.ports import Clock, JobQueue, Stores
from core.provenance.c2pa_embed import C2paSigner, c2pa_available, load_signer
from core.requests.service import RequestService, latest_declaration
from jobs import arq_queue
from jobs.embedded import EmbeddedQueue
from jobs.events import LocalEventBus
from jobs.memory import InMemoryQueue
from jobs.worker import audio_executor, build_render_job
from storage.blobs import LocalBlobStore
from storage.database import Database

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: RefrainSettings
    database: Database
    stores: Stores
    blobs: LocalBlobStore
    index: CatalogIndex
    hidden: set[str]
    queue: JobQueue
    clock: Clock
    service: RequestService
    handler: ChatHandler
    events: LocalEventBus
    deliveries: DeliveryService
    tracer: Tracer

    def search(self, text: str, limit: int = 5) -> list[SearchHit]:
        """Autocomplete: fuzzy hits, without opted-out recordings."""
        hits = self.index.search(text, limit=limit + len(self.hidden))
        return [h for h in hits if h.recording_id not in self.hidden][:limit]


def tiers_from(settings: RefrainSettings) -> dict[str, Tier]:
    return {
        name: Tier(
            name=name,
            seconds_per_period=t.seconds_per_period,
            max_clip_seconds=t.max_clip_seconds,
            priority=t.priority,
            period=t.period,
        )
        for name, t in settings.tiers.items()
    }


async def build_index(stores: Stores) -> tuple[CatalogIndex, set[str]]:
    """Search index over the catalog, and the ids hidden from search (opted out).

    Opted-out recordings stay resolvable by exact title so that a fan who
    types one hears why it is refused, but autocomplete never offers them.
    """
    catalog = stores.catalog
    recordings = await catalog.list_recordings()
    hidden = set()
    for recording in recordings:
        declarations = await catalog.opt_declarations(SubjectKind.WORK, recording.work_id)
        declarations += await catalog.opt_declarations(SubjectKind.RECORDING, recording.id)
        in_force = latest_declaration(declarations)
        if in_force is not None and not in_force.opted_in:
            hidden.add(recording.id)
    return CatalogIndex(recordings), hidden


class UnreachableQueue:
    """Stands in for arq while Redis is down: submits are stored QUEUED and said so."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def enqueue(self, request: RenderRequest, priority: int) -> None:
        raise ConnectionError(self.reason)

    async def cancel(self, request_id: str) -> None:
        raise ConnectionError(self.reason)

    async def position(self, request_id: str) -> int | None:
        return None


@asynccontextmanager
async def _runner(
    settings: RefrainSettings,
    stores: Stores,
    blobs: LocalBlobStore,
    run_jobs: bool,
    bus: LocalEventBus,
) -> AsyncIterator[JobQueue]:
    """The configured queue: embedded (rendering here when ``run_jobs``) or arq.

    Job events reach ``bus`` either way: published by the embedded renderer,
    or relayed from the arq workers' Redis channel.
    """
    if settings.queue == "arq":
        try:
            pool = await arq_queue.connect(settings.redis_url.get_secret_value())
        except arq_queue.QueueUnavailable as exc:
            log.error("%s: requests will wait in the database until it is back", exc)
            yield UnreachableQueue(str(exc))
            return
        queue = arq_queue.ArqQueue(pool)
        relay = asyncio.create_task(arq_queue.relay_events(pool, bus.publish), name="event-relay")
        try:
            yield queue
        finally:
            relay.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay
            await queue.close()
        return
    if not run_jobs:
        yield InMemoryQueue()
        return
    executor = audio_executor(settings)
    job = build_render_job(settings, stores, blobs, bus, executor)
    embedded = EmbeddedQueue(job.run, concurrency=max(1, settings.workers))
    await embedded.start()
    try:
        yield embedded
    finally:
        await embedded.stop()
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


@asynccontextmanager
async def open_app(
    settings: RefrainSettings,
    *,
    queue: JobQueue | None = None,
    clock: Clock | None = None,
    check_schema: bool = True,
    run_jobs: bool = False,
) -> AsyncIterator[App]:
    """Open the database, the queue, the index and the use cases; close all after.

    ``run_jobs`` starts the embedded queue's renderer in this process (serve,
    demo); without it requests are only stored and queued (CLI tools).
    """
    async with AsyncExitStack() as stack:
        database = await Database.open(settings.database_url)
        stack.push_async_callback(database.close)
        if check_schema:
            await database.ensure_schema()  # SQLite migrates itself; PostgreSQL is checked
        stores = database.stores
        blobs = LocalBlobStore(settings.blobs_dir)
        events = LocalEventBus()
        if queue is None:
            queue = await stack.enter_async_context(
                _runner(settings, stores, blobs, run_jobs, events)
            )
        clock = clock or SystemClock()
        index, hidden = await build_index(stores)
        service = RequestService(
            stores,
            queue,
            clock,
            index,
            tiers_from(settings),
            settings.terms_version,
            settings.default_clip_seconds,
            hidden,
            voice_conversion=voice_conversion_available(settings),
        )
        if run_jobs:
            await service.recover(include_running=True)
        tracer = Tracer(stores, None, marking_keys(settings))
        yield App(
            settings=settings,
            database=database,
            stores=stores,
            blobs=blobs,
            index=index,
            hidden=hidden,
            queue=queue,
            clock=clock,
            service=service,
            handler=ChatHandler(service, stores, clock, tracer),
            events=events,
            deliveries=DeliveryService(
                stores,
                blobs,
                clock,
                None,  # threads: encoding runs in ffmpeg, the mark in numpy (both release the GIL)
                marking_key=active_marking_key(settings),
                listener_secret=settings.listener_key_secret.get_secret_value().encode(),
                public_url=settings.web.public_url,
                work_dir=settings.blobs_dir.parent / "tmp-deliveries",
                plays=stores.plays,
                c2pa_signer=c2pa_signer(settings),
            ),
            tracer=tracer,
        )


def c2pa_signer(settings: RefrainSettings) -> C2paSigner | None:
    """The C2PA signer for MP3/M4A deliveries (made on first use), or None when switched off."""
    if not settings.provenance.c2pa or not c2pa_available():
        return None
    return load_signer(settings.provenance.c2pa_dir)


def voice_conversion_available(settings: RefrainSettings) -> bool:
    """Voice covers are accepted only where the configured backend can run here."""
    if settings.voice.backend != "world":
        return False  # the neural backend needs a model file per voice: not wired in yet
    from core.audio.voice._pyworld import pyworld
    from core.audio.voice.errors import VoiceBackendUnavailable

    try:
        pyworld()
    except VoiceBackendUnavailable as exc:
        log.warning("voice covers are off: %s", exc)
        return False
    return True


def marking_keys(settings: RefrainSettings) -> list[MarkingKey]:
    """Every listed watermark key, the active one first (trace tries them all: rotation)."""
    keys = settings.watermark.keys
    order = [settings.watermark.active_key, *sorted(k for k in keys if k != settings.watermark.active_key)]
    return [MarkingKey(key_id, keys[key_id].get_secret_value().encode()) for key_id in order]


def active_marking_key(settings: RefrainSettings) -> MarkingKey:
    return marking_keys(settings)[0]
