"""Play ingestion: sustained batched appends to the play log, on SQLite and PostgreSQL.

Events are built in memory first (the clock measures storage only), then
appended through ``SqlPlayLog.append`` in batches of 5,000 — one
transaction per batch, ``INSERT … ON CONFLICT DO NOTHING RETURNING`` —
the way `refrain plays import` and the bots write them. A second pass
re-appends a batch to check idempotency (0 new). PostgreSQL runs in a
fresh schema of the test server (REFRAIN_TEST_POSTGRES, default
postgres@127.0.0.1:5432/test), dropped afterwards.

Targets (issue #6): ≥ 10,000 events/s on SQLite, ≥ 20,000 events/s on PostgreSQL.

Run: .venv/bin/python benchmarks/plays_ingest.py [--quick | --smoke] [--events N]
(``--smoke``: 1,000 events in batches of 250.)
Last line: {"sqlite_events_per_s": …, "postgres_events_per_s": …} (null when the server is down),
both rates per calibration and the machine (benchmarks/_machine.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
from sqlalchemy.engine import make_url

from benchmarks._machine import add_run_size, emit, machine_info
from core.catalog import demo_catalog
from core.ids import new_id, uuid7
from core.model import (
    Clip,
    Origin,
    PlayEvent,
    RenderRequest,
    RequestState,
    Transformation,
    UsageType,
)
from storage import Database, Sessions, SqlPlayLog, upgrade

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
START = datetime(2026, 10, 1, tzinfo=UTC)
TERRITORIES = ("DE", "FR", "US", "GB", "WW", "AT", "JP", "BR")


@asynccontextmanager
async def postgres_url() -> AsyncIterator[str | None]:
    """A fresh schema on the test server (None when the server is down)."""
    base = os.environ.get("REFRAIN_TEST_POSTGRES", PG_DEFAULT)
    schema = f"refrain_bench_{secrets.token_hex(4)}"
    dsn = str(make_url(base).set(drivername="postgresql"))
    try:
        connection = await asyncpg.connect(dsn)
    except (OSError, asyncpg.PostgresError) as error:
        print(f"PostgreSQL is down ({error}); skipping it", file=sys.stderr)
        yield None
        return
    try:
        await connection.execute(f'CREATE SCHEMA "{schema}"')
        url = str(make_url(base).set(drivername="postgresql+asyncpg",
                                     query={"search_path": schema}).render_as_string(False))
        yield url
    finally:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await connection.close()


async def seed_clips(database: Database, count: int = 20) -> list[str]:
    """The demo catalog and ``count`` clips of its first recording."""
    stores = database.stores
    await stores.catalog.import_batch(demo_catalog().batch, START)
    user = await stores.users.get_or_create("console", "bench", "Bench", START)
    recording = (await stores.catalog.list_recordings())[0]
    license_ = await stores.catalog.current_license(recording.id)
    assert license_ is not None
    ids = []
    for n in range(count):
        request = RenderRequest(
            id=new_id(), idempotency_key=f"bench:{n}", user_id=user.id, scope_id="bench",
            channel_id=None, transformation=Transformation.COVER, recording_id=recording.id,
            style="lofi", voice_model_id=None, seconds=20, license_id=license_.id,
            license_version=license_.version, territory="WW", state=RequestState.DELIVERED,
            created_at=START, updated_at=START,
        )
        await stores.requests.create(request, [], START)
        clip_id = f"clip-bench-{n}"
        await stores.clips.add(Clip(clip_id, request.id, recording.id, Transformation.COVER,
                                    "lofi", None, license_.id, license_.version, user.id,
                                    "ab" * 32, 25.0, None, START))
        ids.append(clip_id)
    return ids


def make_events(clips: list[str], count: int, seed: int = 7) -> list[PlayEvent]:
    rnd = random.Random(seed)
    listeners = [f"{rnd.getrandbits(256):064x}" for _ in range(5_000)]
    out = []
    for _ in range(count):
        at = START + timedelta(seconds=rnd.randrange(28 * 86_400))
        usage = UsageType.STREAM if rnd.random() < 0.7 else UsageType.DELIVERY
        out.append(PlayEvent(
            str(uuid7()), rnd.choice(clips), None, usage, rnd.choice(listeners), "telegram",
            rnd.choice(list(Origin)), rnd.randrange(60_000) if usage is UsageType.STREAM else 0,
            rnd.choice(TERRITORIES), at, at + timedelta(seconds=2),
        ))
    return out


async def measure(url: str, events_count: int, batch: int) -> float:
    await upgrade(url)
    async with await Database.open(url) as database:
        clips = await seed_clips(database)
        events = make_events(clips, events_count)
        log = SqlPlayLog(Sessions(database.engine), batch=batch)
        started = time.perf_counter()
        added = 0
        for start in range(0, len(events), batch):
            added += await log.append(events[start : start + batch])
        elapsed = time.perf_counter() - started
        assert added == len(events), (added, len(events))
        assert await log.append(events[:batch]) == 0, "re-append must add nothing"
    return len(events) / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_size(parser, quick="20k events per backend (< 1 min)",
                 smoke="1,000 events per backend in batches of 250")
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--batch", type=int, default=None, help="default 5,000")
    args = parser.parse_args()
    machine = machine_info()
    count = args.events or (1_000 if args.smoke else 20_000 if args.quick else 200_000)
    args.batch = args.batch or (250 if args.smoke else 5_000)
    result: dict[str, float | None] = {}
    with tempfile.TemporaryDirectory() as workdir:
        rate = await measure(f"sqlite+aiosqlite:///{Path(workdir) / 'plays.db'}", count, args.batch)
        print(f"SQLite: {count} events, {rate:,.0f} events/s", file=sys.stderr)
        result["sqlite_events_per_s"] = round(rate)
    async with postgres_url() as url:
        if url is None:
            result["postgres_events_per_s"] = None
        else:
            rate = await measure(url, count, args.batch)
            print(f"PostgreSQL: {count} events, {rate:,.0f} events/s", file=sys.stderr)
            result["postgres_events_per_s"] = round(rate)
    emit(result, machine, speeds=("sqlite_events_per_s", "postgres_events_per_s"))


if __name__ == "__main__":
    asyncio.run(main())
