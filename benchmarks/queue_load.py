"""Queue load: 1,000 submissions from 200 users at once, on the embedded queue and on arq.

Every submission goes through the console adapter and the real submit use
case (SQLite, quota reservation, idempotency). We measure how long each
waits for its acknowledgement (QUEUED or a refusal), then let the queue run
with a stand-in job that only records what ran, and check that nothing was
lost, nothing ran twice, and the first round served every user once.

Run: .venv/bin/python benchmarks/queue_load.py [--quick | --smoke]
(``--quick``: 40 users, ``--smoke``: 5 users, 5 submissions each.)
Last line: {"embedded": {"p99_ack_s": …, "lost": 0, "duplicates": 0, …}, "arq": {…}} and the machine
(benchmarks/_machine.py); "arq" is {"skipped": …} when Redis is down.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import add_run_size, emit, machine_info
from bots.console import ConsoleSession
from config import RefrainSettings
from core.catalog import demo_catalog
from jobs import EmbeddedQueue
from refrain.app import App, open_app
from refrain.demo import pick_songs
from storage import upgrade

STYLES = ("lofi", "synthwave", "8-bit", "acoustic", "a-cappella")


async def prepare(workdir: Path, name: str) -> RefrainSettings:
    url = f"sqlite+aiosqlite:///{workdir / f'{name}.db'}"
    await upgrade(url)
    settings = RefrainSettings(database_url=url, blobs_dir=workdir / "blobs", workers=0)
    async with open_app(settings) as app:
        await app.stores.catalog.import_batch(demo_catalog().batch, app.clock.now())
    return settings


async def flood(app: App, users: int, per_user: int) -> tuple[list[float], list[str], int]:
    """Submit everything at once; returns ack latencies, queued ids, refusals."""
    song = pick_songs(demo_catalog().batch).open_song
    sessions = [ConsoleSession(app.handler.handle, f"fan{n}", "load") for n in range(users)]
    for session in sessions:
        await session.send("terms accept")
    latencies: list[float] = []
    queued: list[str] = []
    refused = 0

    async def one(session: ConsoleSession, k: int) -> None:
        nonlocal refused
        started = time.perf_counter()
        reply = (await session.send(f'cover "{song}" style:{STYLES[k % len(STYLES)]} length:10'))[0]
        latencies.append(time.perf_counter() - started)
        if reply.code == "QUEUED" and reply.request_id:
            queued.append(reply.request_id)
        elif reply.kind.value == "DENIED":
            refused += 1
        else:
            raise RuntimeError(f"not acknowledged: {reply.code} {reply.text}")

    await asyncio.gather(*(one(s, k) for k in range(per_user) for s in sessions))
    return latencies, queued, refused


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * (len(ordered) - 1) + 0.5))]


async def embedded_run(workdir: Path, users: int, per_user: int) -> dict[str, Any]:
    settings = await prepare(workdir, "embedded")
    ran: list[str] = []

    async def record(request_id: str, try_number: int = 1) -> None:
        ran.append(request_id)
        await asyncio.sleep(0)

    queue = EmbeddedQueue(record, concurrency=4)
    async with open_app(settings, queue=queue) as app:
        latencies, queued, refused = await flood(app, users, per_user)
        await queue.start()  # the backlog is full: now watch the order it drains in
        await asyncio.wait_for(queue.join(), 120)
        await queue.stop()
        owners = {}
        for request_id in ran[:users]:
            request = await app.stores.requests.get(request_id)
            assert request is not None
            owners[request_id] = request.user_id
    return summary(latencies, queued, refused, ran, first_round_users=len(set(owners.values())),
                   users=users)


async def arq_run(workdir: Path, users: int, per_user: int, redis_url: str) -> dict[str, Any]:
    from arq.connections import RedisSettings
    from arq.worker import Worker, func
    from pydantic import SecretStr
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url)
    await client.flushdb()
    settings = (await prepare(workdir, "arq")).model_copy(
        update={"queue": "arq", "redis_url": SecretStr(redis_url)}
    )
    ran: list[str] = []

    async def render(ctx: dict[str, Any], request_id: str) -> None:
        ran.append(request_id)

    async with open_app(settings) as app:
        latencies, queued, refused = await flood(app, users, per_user)
    worker = Worker(
        functions=[func(render, name="render")],
        burst=True,
        max_jobs=20,
        redis_settings=RedisSettings.from_dsn(redis_url),
        poll_delay=0.05,
    )
    await worker.async_run()
    await worker.close()
    await client.flushdb()
    await client.aclose()
    return summary(latencies, queued, refused, ran, first_round_users=None, users=users)


def summary(
    latencies: list[float], queued: list[str], refused: int, ran: list[str],
    *, first_round_users: int | None, users: int,
) -> dict[str, Any]:
    counts = Counter(ran)
    out = {
        "submissions": len(latencies),
        "p99_ack_s": round(p99(latencies), 3),
        "max_ack_s": round(max(latencies), 3),
        "queued": len(queued),
        "refused": refused,
        "lost": len(set(queued) - set(ran)),
        "duplicates": sum(c - 1 for c in counts.values() if c > 1),
    }
    if first_round_users is not None:
        out["first_round_distinct_users"] = first_round_users
        out["fair"] = first_round_users == users
    return out


async def main_async(users: int, per_user: int) -> dict[str, Any]:
    from tests.support.services import REDIS_HOST, REDIS_PORT, _reachable

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        result: dict[str, Any] = {"embedded": await embedded_run(workdir, users, per_user)}
        print("embedded:", result["embedded"], flush=True)
        if _reachable(REDIS_HOST, REDIS_PORT):
            result["arq"] = await arq_run(workdir, users, per_user,
                                          f"redis://{REDIS_HOST}:{REDIS_PORT}/8")
            print("arq:", result["arq"], flush=True)
        else:
            result["arq"] = {"skipped": "Redis is down"}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_size(parser, quick="200 submissions instead of 1,000", smoke="25 submissions from 5 users")
    args = parser.parse_args()
    machine = machine_info()
    users = 5 if args.smoke else 40 if args.quick else 200
    result = asyncio.run(main_async(users, per_user=5))
    emit(result, machine)
    broken = [name for name, run in result.items()
              if run.get("lost") or run.get("duplicates") or run.get("fair") is False]
    if broken:  # a figure from a queue that lost or repeated work is no figure: fail loudly
        sys.exit(f"queue_load: {', '.join(broken)} lost, repeated or reordered work")


if __name__ == "__main__":
    main()
