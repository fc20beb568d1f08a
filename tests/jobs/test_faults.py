"""Faults at scale, with real processes: nothing stranded, nobody charged for nothing.

Each test runs an operator's deployment in miniature: PostgreSQL (a schema of
its own, reached through a TCP proxy the test can cut), a private
``redis-server`` (also behind a proxy), real ``refrain worker`` processes,
and this process in ``serve``'s role (the arq queue, the event relay and the
recovery sweep, with fans typing through the console adapter). One thing is
broken at a time; nothing else is restarted. Afterwards every granted
request must end DELIVERED (charged once, one copy) or FAILED (refunded
once) within two minutes of the fault ending: nothing lost, nothing
duplicated, nothing charged without a delivery row, no quota held by a
finished request.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bots.console import ConsoleSession
from config import RefrainSettings
from refrain.app import App, open_app
from tests.support.databases import fresh_postgres_url, reachable_postgres
from tests.support.faults import PrivateRedis, TcpProxy, WorkerProcess, read_only
from tests.support.rendering import build_render_world, fan

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

SETTLE_WITHIN_S = 120.0
FINAL = ("DELIVERED", "FAILED", "CANCELLED")


@dataclass
class Deployment:
    """The pieces of a small deployment, and the fans talking to it."""

    settings: RefrainSettings
    app: App
    direct_url: str  # to the database without the proxy: the test's own view
    db_proxy: TcpProxy
    redis: PrivateRedis
    redis_proxy: TcpProxy
    song: str
    folder: Path
    workers: list[WorkerProcess] = field(default_factory=list)
    fans: dict[str, ConsoleSession] = field(default_factory=dict)
    granted: list[str] = field(default_factory=list)

    def worker_env(self, **extra: str) -> dict[str, str]:
        settings = self.settings
        env = {
            "REFRAIN_DATABASE_URL": settings.database_url,
            "REFRAIN_REDIS_URL": settings.redis_url.get_secret_value(),
            "REFRAIN_QUEUE": "arq",
            "REFRAIN_QUEUE_NAME": settings.queue_name,
            "REFRAIN_BLOBS_DIR": str(settings.blobs_dir),
            "REFRAIN_WORKERS": "1",
            "REFRAIN_LEASE_S": str(settings.lease_s),
            "REFRAIN_SWEEP_INTERVAL_S": str(settings.sweep_interval_s),
            "REFRAIN_JOB_TIMEOUT_S": str(settings.job_timeout_s),
            "REFRAIN_LOG_LEVEL": "INFO",
        }
        return {**env, **extra}

    def start_worker(self, **extra: str) -> WorkerProcess:
        number = len(self.workers) + 1
        worker = WorkerProcess(self.worker_env(**extra), self.folder / f"worker{number}.log")
        self.workers.append(worker)
        return worker

    async def wait_for_workers(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not all("taking jobs" in w.tail(100_000) for w in self.workers):
            assert time.monotonic() < deadline, [w.tail() for w in self.workers]
            await asyncio.sleep(0.2)

    async def ask(self, name: str, line: str) -> str:
        """A fan's cover request; returns the reply (a granted request is remembered)."""
        session = self.fans.get(name)
        if session is None:
            session = self.fans[name] = await fan(self.app, name)
        reply = (await session.send(line))[0]
        if reply.code == "QUEUED" and reply.request_id:
            self.granted.append(reply.request_id)
        return reply.text

    async def cover(self, name: str, style: str = "lofi", seconds: int = 4) -> str:
        return await self.ask(name, f'cover "{self.song}" style:{style} length:{seconds}')

    async def busy(self, fans: int, *, seconds: int = 4, workers: int = 2) -> None:
        """``workers`` workers taking jobs, and ``fans`` fans' covers (styles in turn) queued."""
        for _ in range(workers):
            self.start_worker()
        await self.wait_for_workers()
        styles = ("lofi", "acoustic", "8-bit", "synthwave")
        for n in range(fans):
            await self.cover(f"fan{n}", style=styles[n % len(styles)], seconds=seconds)


@pytest.fixture
async def deployment(tmp_path: Path) -> AsyncIterator[Deployment]:
    server = await reachable_postgres()
    async with AsyncExitStack() as stack:
        direct = await stack.enter_async_context(fresh_postgres_url(server))
        db_proxy = TcpProxy(server.port)
        await db_proxy.start()
        stack.push_async_callback(db_proxy.close)
        proxied = make_url(direct).set(port=db_proxy.port).render_as_string(hide_password=False)
        redis = PrivateRedis(tmp_path / "redis")
        redis.start()
        stack.callback(redis.stop)
        redis_proxy = TcpProxy(redis.port)
        await redis_proxy.start()
        stack.push_async_callback(redis_proxy.close)
        world = await build_render_world(tmp_path, database_url=proxied)
        settings = world.settings.model_copy(update={
            "queue": "arq",
            "redis_url": SecretStr(f"redis://127.0.0.1:{redis_proxy.port}/0"),
            "queue_name": f"refrain-test:{tmp_path.name}",
            "lease_s": 5.0,
            "sweep_interval_s": 2.0,
            "job_timeout_s": 120,
        })
        app = await stack.enter_async_context(open_app(settings, run_jobs=True))
        found = Deployment(settings, app, direct, db_proxy, redis, redis_proxy, world.song,
                           tmp_path)
        stack.callback(lambda: [w.stop() for w in found.workers])
        yield found


@dataclass(frozen=True)
class Outcome:
    request_id: str
    state: str
    error: str | None
    reserved: frozenset[str]  # accounts
    committed: tuple[str, ...]
    refunded: tuple[str, ...]
    clips: int
    copies: int  # the requester's deliveries of the request's clip
    delivery_id: str | None


async def outcomes(deployment: Deployment) -> dict[str, Outcome]:
    url = make_url(deployment.direct_url)
    schema = str(url.query["search_path"])
    connection = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, database=url.database,
        server_settings={"search_path": schema},
    )
    try:
        rows = await connection.fetch(
            """
            SELECT r.id, r.state, r.error, r.delivery_id,
                   (SELECT count(*) FROM clip c WHERE c.request_id = r.id) AS clips,
                   (SELECT count(*) FROM delivery d JOIN clip c ON d.clip_id = c.id
                     WHERE c.request_id = r.id AND d.recipient_user_id = r.user_id) AS copies
              FROM render_request r
            """
        )
        entries = await connection.fetch("SELECT request_id, account, kind FROM quota_entry")
    finally:
        await connection.close()
    by_request: dict[str, list[tuple[str, str]]] = {}
    for entry in entries:
        by_request.setdefault(entry["request_id"], []).append((entry["account"], entry["kind"]))
    found = {}
    for row in rows:
        mine = by_request.get(row["id"], [])
        found[row["id"]] = Outcome(
            request_id=row["id"],
            state=row["state"],
            error=row["error"],
            reserved=frozenset(a for a, k in mine if k == "RESERVE"),
            committed=tuple(sorted(a for a, k in mine if k == "COMMIT")),
            refunded=tuple(sorted(a for a, k in mine if k == "REFUND")),
            clips=row["clips"],
            copies=row["copies"],
            delivery_id=row["delivery_id"],
        )
    return found


async def settled(deployment: Deployment, fault_ended: float) -> dict[str, Outcome]:
    """Wait until every granted request is final (at most two minutes after the fault)."""
    deadline = fault_ended + SETTLE_WITHIN_S
    while True:
        found = await outcomes(deployment)
        open_ = [r for r in deployment.granted if found[r].state not in FINAL]
        if not open_:
            return found
        if time.monotonic() > deadline:
            for worker in deployment.workers:  # what each worker is waiting on, into its log
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGUSR1)
            await asyncio.sleep(1)
            logs = "\n".join(w.tail(4000) for w in deployment.workers)
            pytest.fail(f"{len(open_)} request(s) still open 2 min after the fault: "
                        f"{[found[r] for r in open_]}\n{logs}")
        await asyncio.sleep(0.5)


def check_books(deployment: Deployment, found: dict[str, Outcome]) -> None:
    """0 lost, 0 duplicates, 0 charged without a copy, 0 quota held by a finished request."""
    assert set(deployment.granted) <= set(found), "a granted request is missing"
    for request_id in deployment.granted:
        outcome = found[request_id]
        accounts = tuple(sorted(outcome.reserved))
        assert outcome.reserved, outcome
        if outcome.state == "DELIVERED":
            assert outcome.committed == accounts and outcome.refunded == (), outcome
            assert outcome.clips == 1 and outcome.copies == 1 and outcome.delivery_id, outcome
        else:
            assert outcome.state == "FAILED", outcome
            assert outcome.refunded == accounts and outcome.committed == (), outcome
            assert outcome.copies == 0, outcome
            assert outcome.error and "refunded" in outcome.error, outcome
            assert not re.search(r"127\.0\.0\.1|:\d{4,5}\b|/tmp/|SELECT|INSERT", outcome.error)


def alive(deployment: Deployment) -> None:
    for worker in deployment.workers:
        assert worker.process.poll() is None, f"a worker exited:\n{worker.tail()}"


async def wait_running(deployment: Deployment, timeout_s: float = 60.0) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        running = [o for o in (await outcomes(deployment)).values() if o.state == "RUNNING"]
        if running:
            return running[0].request_id
        assert time.monotonic() < deadline, "nothing started running"
        await asyncio.sleep(0.1)


async def test_redis_down_30s_during_submits(deployment: Deployment) -> None:
    deployment.start_worker()
    deployment.start_worker()
    await deployment.wait_for_workers()
    for n in range(3):
        await deployment.cover(f"early{n}")
    await deployment.redis_proxy.cut()
    cut_at = time.monotonic()
    during = []
    for n in range(6):
        during.append(await deployment.cover(f"during{n}", style="acoustic"))
        await asyncio.sleep(max(0.0, cut_at + 5 * (n + 1) - time.monotonic()))
    await asyncio.sleep(max(0.0, cut_at + 30 - time.monotonic()))
    await deployment.redis_proxy.restore()
    ended = time.monotonic()
    assert all("start as soon as it is back" in text for text in during), during
    found = await settled(deployment, ended)
    check_books(deployment, found)
    assert {found[r].state for r in deployment.granted} == {"DELIVERED"}
    alive(deployment)
    assert any("Redis at" in w.tail(100_000) and "is back" in w.tail(100_000)
               for w in deployment.workers)


async def test_redis_restarted_empty(deployment: Deployment) -> None:
    await deployment.busy(8)
    deployment.redis.stop()  # its jobs are gone with it
    deployment.redis.start()
    ended = time.monotonic()
    found = await settled(deployment, ended)
    check_books(deployment, found)
    assert {found[r].state for r in deployment.granted} == {"DELIVERED"}
    alive(deployment)


async def test_database_unreachable_30s_while_jobs_run(deployment: Deployment) -> None:
    await deployment.busy(6, seconds=6)
    await wait_running(deployment)
    await deployment.db_proxy.cut()
    cut_at = time.monotonic()
    session = deployment.fans["fan0"]
    during = (await session.send("quota"))[0].text  # a fan meets the outage: plain words
    assert "database is unavailable" in during and "incident" in during, during
    assert not re.search(r"127\.0\.0\.1|:\d{4,5}\b", during), during
    await asyncio.sleep(max(0.0, cut_at + 30 - time.monotonic()))
    await deployment.db_proxy.restore()
    ended = time.monotonic()
    found = await settled(deployment, ended)
    check_books(deployment, found)
    alive(deployment)


async def test_database_connections_killed(deployment: Deployment) -> None:
    await deployment.busy(6, seconds=6)
    await wait_running(deployment)
    dropped = 0
    for _ in range(13):
        dropped += await deployment.db_proxy.drop_connections()
        await asyncio.sleep(0.75)
    ended = time.monotonic()
    assert dropped > 0
    found = await settled(deployment, ended)
    check_books(deployment, found)
    alive(deployment)


async def test_a_worker_killed_mid_render_is_replaced_within_60s(
    deployment: Deployment,
) -> None:
    lease = {"REFRAIN_LEASE_S": "30"}  # the production default: takeover within 60 s with it
    first = deployment.start_worker(**lease)
    second = deployment.start_worker(**lease)
    await deployment.wait_for_workers()
    await deployment.cover("erin", style="drum-and-bass", seconds=10)
    request_id = await wait_running(deployment)
    holder = next(
        (w for w in (first, second) if f"{request_id}:render" in w.tail(100_000)), None
    )
    assert holder is not None, [w.tail() for w in (first, second)]
    other = second if holder is first else first
    holder.kill9()
    killed_at = time.monotonic()
    deadline = killed_at + 10
    while holder.group_alive():  # its render processes die with it
        assert time.monotonic() < deadline, "a render process outlived its worker"
        await asyncio.sleep(0.1)
    found = await settled(deployment, killed_at)
    assert time.monotonic() - killed_at < 60, "the job was not taken over within 60 s"
    check_books(deployment, found)
    assert found[request_id].state == "DELIVERED"
    assert f"{request_id}:render" in other.tail(100_000)


async def test_a_render_past_its_time_limit_fails_and_refunds(
    deployment: Deployment, tmp_path: Path
) -> None:
    deployment.start_worker(REFRAIN_JOB_TIMEOUT_S="1")
    await deployment.wait_for_workers()
    await deployment.cover("gina", style="drum-and-bass", seconds=12)
    ended = time.monotonic()
    found = await settled(deployment, ended)
    check_books(deployment, found)
    [request_id] = deployment.granted
    outcome = found[request_id]
    assert outcome.state == "FAILED" and outcome.error is not None
    assert "took too long" in outcome.error and "were refunded" in outcome.error
    alive(deployment)


async def test_a_read_only_blob_store(deployment: Deployment) -> None:
    with read_only(deployment.settings.blobs_dir):
        await deployment.busy(4)
        await asyncio.sleep(20)
        interim = await outcomes(deployment)
        assert not any(interim[r].state == "DELIVERED" for r in deployment.granted)
    ended = time.monotonic()
    found = await settled(deployment, ended)
    check_books(deployment, found)
    alive(deployment)


async def test_a_serve_started_while_redis_is_down_catches_up_without_a_restart(
    tmp_path: Path,
) -> None:
    """The queue is not "unreachable for life": the sweep hands over what waited."""
    redis = PrivateRedis(tmp_path / "redis")  # not started: Redis is down
    world = await build_render_world(tmp_path)
    settings = world.settings.model_copy(update={
        "queue": "arq", "redis_url": SecretStr(redis.url), "sweep_interval_s": 1.0,
    })
    try:
        async with open_app(settings, run_jobs=True) as app:
            zoe = await fan(app, "zoe")
            reply = (await zoe.send(f'cover "{world.song}" style:lofi length:4'))[0]
            assert reply.code == "QUEUED" and "start as soon as it is back" in reply.text
            redis.start()
            deadline = time.monotonic() + 30
            while await app.requests.position(reply.request_id or "") != 1:
                assert time.monotonic() < deadline, "the queue never got the request"
                await asyncio.sleep(0.2)
    finally:
        redis.stop()
