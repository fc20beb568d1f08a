"""Wiring: builds Refrain's object graph from settings. Nothing else lives here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bots.console import DemoPayments
from config import RefrainSettings
from core.catalog import CatalogIndex, SearchHit
from core.chat import ChatHandler
from core.clock import SystemClock
from core.deliveries import DeliveryService, SharedCopies, Tracer
from core.health import HealthChecks
from core.model import SubjectKind, Tier
from core.ports import AuditLog, ButtonStates, Clock, JobQueue, PlayLog, Stores
from core.requests import (
    Choices,
    RecoverySweep,
    RemakeRule,
    RequestService,
    SweepSettings,
    latest_declaration,
)
from core.revenue import Plan, PlanBook, RevenueService, exact, micros_of
from core.royalties import RoyaltyError, RoyaltyService, RuleSet, rule_set
from core.studio import (
    InviteSigner,
    SessionPolicy,
    Studio,
    StudioAccounts,
    StudioClips,
    StudioDashboard,
    StudioRights,
    StudioStatements,
)
from engine import DeliveryAudioEngine
from jobs import (
    EmbeddedQueue,
    InMemoryQueue,
    LocalEventBus,
    StemWarmer,
    arq_queue,
    audio_runner,
    build_render_job,
    delivery_service,
    marking_keys,
    metrics,
    separation_source,
    stem_warmer,
    warm_list,
)
from storage import (
    Database,
    FileWarmList,
    LocalBlobStore,
    Sessions,
    SqlPlayLog,
    SqlRoyaltyRepository,
    TrigramPostings,
)

log = logging.getLogger(__name__)


@dataclass
class App:
    """The object graph of one process. Adapters see it only as ``core.service.Refrain``:
    the use cases below, not the settings, database or queue above them."""

    settings: RefrainSettings
    database: Database
    stores: Stores
    blobs: LocalBlobStore
    index: CatalogIndex
    hidden: set[str]
    queue: JobQueue
    clock: Clock
    requests: RequestService
    handler: ChatHandler
    choices: Choices
    remakes: RemakeRule
    events: LocalEventBus
    deliveries: DeliveryService
    shares: SharedCopies
    tracer: Tracer
    health: HealthChecks
    revenue: RevenueService
    studio: Studio
    warm_list: FileWarmList
    warmer: StemWarmer | None = None  # only where this process renders (serve, demo)

    @property
    def buttons(self) -> ButtonStates:
        return self.stores.buttons

    @property
    def audit(self) -> AuditLog:
        return self.stores.audit

    @property
    def plays(self) -> PlayLog:
        return self.stores.plays

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
    return CatalogIndex(recordings, TrigramPostings()), hidden


@asynccontextmanager
async def _runner(
    settings: RefrainSettings,
    stores: Stores,
    blobs: LocalBlobStore,
    run_jobs: bool,
    bus: LocalEventBus,
    deliveries: DeliveryService,
) -> AsyncIterator[tuple[JobQueue, StemWarmer | None]]:
    """The configured queue: embedded (rendering here when ``run_jobs``) or arq.

    Where this process renders it also warms stems (``jobs.warming``): the
    warmer comes back beside the queue, already running.

    Job events reach ``bus`` either way: published by the embedded renderer,
    or relayed from the arq workers' Redis channel. The arq client connects
    lazily and reconnects by itself, so a Redis that is down at start or
    later only delays requests (they wait QUEUED; the recovery sweep hands
    them over when it is back).
    """
    if settings.queue == "arq":
        redis_url = settings.redis_url.get_secret_value()
        pool = arq_queue.redis_client(redis_url, queue_name=settings.queue_name)
        try:
            await pool.ping()
        except Exception as exc:  # not fatal: requests wait in the database until it is back
            log.error("Redis at %s is unreachable (%s): requests will wait in the database "
                      "until it is back", arq_queue.where(redis_url), type(exc).__name__)
        queue = arq_queue.ArqQueue(pool, settings.queue_name)
        relay = asyncio.create_task(arq_queue.relay_events(pool, bus.publish), name="event-relay")
        try:
            yield queue, None
        finally:
            relay.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay
            await queue.close()
        return
    if not run_jobs:
        yield InMemoryQueue(), None
        return
    runner = audio_runner(settings.workers)
    separated = separation_source(settings, blobs)
    job = build_render_job(settings, stores, blobs, bus, runner, deliveries, separated)
    embedded = EmbeddedQueue(job.run, concurrency=max(1, settings.workers))
    warmer = stem_warmer(settings, stores.catalog, separated)
    stop = asyncio.Event()
    warming = (
        asyncio.create_task(warmer.run_forever(stop), name="stem-warmer") if warmer else None
    )
    await embedded.start()
    try:
        yield embedded, warmer
    finally:
        stop.set()
        if warming is not None:
            warming.cancel()
            await asyncio.gather(warming, return_exceptions=True)
        await embedded.stop()
        runner.close()


@asynccontextmanager
async def _sweeping(
    settings: RefrainSettings, stores: Stores, queue: JobQueue, clock: Clock
) -> AsyncIterator[RecoverySweep]:
    """The recovery sweep, every ``sweep_interval_s`` while the app renders or serves."""
    sweep = RecoverySweep(
        stores, queue, clock, SweepSettings.every(settings.sweep_interval_s),
        observe=lambda report: metrics.recovered(len(report.requeued)),
    )
    await sweep.run_once(everything_queued=True)  # what waited while nothing rendered
    stop = asyncio.Event()
    task = asyncio.create_task(sweep.run_forever(stop, first=False), name="recovery-sweep")
    try:
        yield sweep
    finally:
        stop.set()  # let a sweep in progress finish its transaction
        await asyncio.wait({task}, timeout=10)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


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
        deliveries = delivery_service(settings, stores, blobs)
        own_queue = queue is None
        warmer: StemWarmer | None = None
        if queue is None:
            made, warmer = await stack.enter_async_context(
                _runner(settings, stores, blobs, run_jobs, events, deliveries)
            )
            queue = made
        clock = clock or SystemClock()
        index, hidden = await build_index(stores)
        requests = RequestService(
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
        if run_jobs and own_queue:
            await stack.enter_async_context(_sweeping(settings, stores, queue, clock))
        tracer = Tracer(stores, None, marking_keys(settings), DeliveryAudioEngine())
        revenue = revenue_service(settings, database)
        providers = {"console": DemoPayments(revenue, clock)} if settings.revenue.demo_payments else {}
        yield App(
            settings=settings,
            database=database,
            stores=stores,
            blobs=blobs,
            index=index,
            hidden=hidden,
            queue=queue,
            clock=clock,
            requests=requests,
            handler=ChatHandler(requests, stores, clock, tracer, revenue, providers),
            choices=Choices(stores, index, hidden, requests, clock),
            remakes=RemakeRule(stores),
            events=events,
            deliveries=deliveries,
            shares=SharedCopies(stores, blobs),
            tracer=tracer,
            health=health_checks(settings, database, queue, blobs),
            revenue=revenue,
            studio=build_studio(settings, database, stores, clock, events, tracer),
            warm_list=warm_list(settings),
            warmer=warmer,
        )


def build_studio(
    settings: RefrainSettings, database: Database, stores: Stores, clock: Clock, events: LocalEventBus,
    tracer: Tracer,
) -> Studio:
    """The studio's use cases over the database, with argon2id passwords and the web's link key."""
    from web import Argon2Passwords, PyotpSecondFactor

    studio = settings.studio
    accounts = StudioAccounts(
        database.studio,
        stores.catalog,
        stores.audit,
        Argon2Passwords(time_cost=studio.argon2_time_cost, memory_kib=studio.argon2_memory_kib),
        clock,
        InviteSigner(settings.web.link_secret.get_secret_value().encode()),
        PyotpSecondFactor(),
        policy=SessionPolicy(idle=timedelta(seconds=studio.session_idle_s),
                             absolute=timedelta(seconds=studio.session_absolute_s)),
        open_signup=studio.open_signup,
    )
    ceilings = {name: tier.max_clip_seconds for name, tier in settings.tiers.items()}
    try:
        royalties: RoyaltyService | None = royalty_service(settings, database)
    except RoyaltyError as error:
        log.error("studio statements are off: %s", error)
        royalties = None
    statements = StudioStatements(royalties, database.studio, clock, settings.royalties.currency,
                                  settings.royalties.dsr_sender)
    rights = StudioRights(database.studio, stores.catalog, clock, ceilings)
    dashboard = StudioDashboard(database.studio, rights, statements, clock)
    clips = StudioClips(database.studio, stores, clock, tracer, events.publish)
    return Studio(accounts, rights, statements, dashboard, clips)


def health_checks(
    settings: RefrainSettings, database: Database, queue: JobQueue, blobs: LocalBlobStore
) -> HealthChecks:
    """What ``/healthz`` asks: the database, the queue and the blob store each answer."""

    async def database_probe() -> dict[str, Any]:
        await database.ping()
        return {"ok": True}

    async def queue_probe() -> dict[str, Any]:
        try:
            await queue.position("healthz-probe")
        except Exception as exc:
            return {"ok": False, "kind": settings.queue, "error": type(exc).__name__}
        return {"ok": True, "kind": settings.queue}

    return HealthChecks(
        {"database": database_probe, "queue": queue_probe, "blobs": blobs.probe}
    )


def plan_book(settings: RefrainSettings) -> PlanBook:
    """The plans on sale, from the settings (prices as exact micro-units); a plan whose tier
    the deployment does not have is not sold (and said so in the log)."""
    plans = []
    for plan_id, p in settings.revenue.plans.items():
        if p.tier not in settings.tiers:
            log.warning("plan %s grants tier %r, which is not in `tiers`: not on sale", plan_id, p.tier)
            continue
        plans.append(Plan(plan_id, p.tier, p.days, {c: micros_of(v) for c, v in p.prices.items()},
                          p.title, p.discord_sku, p.scope))
    return PlanBook(plans)


def revenue_service(settings: RefrainSettings, database: Database) -> RevenueService:
    """Payments, grants, rates and revenue pools on ``database``; the pool is in the
    platform currency, the share and fees as configured."""
    return RevenueService(
        database.revenue,
        plan_book(settings),
        tiers_from(settings),
        fees={k: exact(v) for k, v in settings.revenue.fees.items()},
        pool_currency=settings.royalties.currency,
        share=exact(settings.revenue.royalty_share),
        store_currencies={"discord": settings.revenue.discord_currency.upper()},
    )


@dataclass
class RoyaltyApp:
    """What `refrain plays …`, `refrain royalties …` and `refrain revenue …` use."""

    database: Database
    plays: SqlPlayLog
    royalties: RoyaltyService
    revenue: RevenueService


def royalty_rules(settings: RefrainSettings) -> RuleSet:
    """The configured royalty rule set; an unknown version is refused in words."""
    try:
        return rule_set(settings.royalties.rules_version)
    except ValueError as error:
        raise RoyaltyError(str(error)) from error


def royalty_service(settings: RefrainSettings, database: Database) -> RoyaltyService:
    """The royalty use case on ``database``, under the configured rule set."""
    return _royalties(Sessions(database.engine), royalty_rules(settings))


def _royalties(sessions: Sessions, rules: RuleSet) -> RoyaltyService:
    return RoyaltyService(SqlRoyaltyRepository(sessions), rules)


@asynccontextmanager
async def open_royalties(settings: RefrainSettings) -> AsyncIterator[RoyaltyApp]:
    """The play log and the royalty use case on the configured database (schema checked).

    Lighter than ``open_app``: no queue, no search index, no engine — the
    royalty commands need only the database.
    """
    rules = royalty_rules(settings)  # refused before the database is reached
    database = await Database.open(settings.database_url)
    try:
        await database.ensure_schema()
        sessions = Sessions(database.engine)
        yield RoyaltyApp(database, SqlPlayLog(sessions), _royalties(sessions, rules),
                         revenue_service(settings, database))
    finally:
        await database.close()


def voice_conversion_available(settings: RefrainSettings) -> bool:
    """Voice covers are accepted only where the configured backend can run here."""
    if settings.voice.backend != "world":
        return False  # the neural backend needs a model file per voice: not wired in yet
    from engine import VoiceBackendUnavailable
    from engine.voice import pyworld

    try:
        pyworld()
    except VoiceBackendUnavailable as exc:
        log.warning("voice covers are off: %s", exc)
        return False
    return True
