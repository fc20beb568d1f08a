"""Studio: a holder's dashboard and statement, for a holder of 1,000 songs with 1,000,000 plays.

The world is royalty_run's (bulk-loaded before the clock starts): 1,000
recordings with their works, shares, licenses and 10,000 clips, and N play
events over October 2026, all on the holder's songs: the holder's party
takes every recording's artist MASTER share (3/10), so each song is theirs.
The period's royalty run (pro-rata) is made before timing, so the statement
has its lines. Then the studio's own use cases are timed, as the web calls
them: ``StudioDashboard.dashboard`` (clips made, plays per day by usage over
30 days, top styles and platforms, earnings of closed periods) and
``StudioStatements.statement`` (the party's statement, the CLI's generator).

Targets (issue #15): dashboard p99 ≤ 150 ms and statement p99 ≤ 500 ms, on SQLite and PostgreSQL.

Run: .venv/bin/python benchmarks/studio.py [--quick | --smoke] [--plays N] [--postgres]
``--quick``: 100k plays; ``--smoke``: 100 songs, 1,000 plays, both backends. Last line:
{"dashboard_p99_ms", "statement_p99_ms", "plays", "works", and with --postgres (or --smoke)
"postgres_dashboard_p99_ms", "postgres_statement_p99_ms" (null when the server is down)},
plus the machine (benchmarks/_machine.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import add_run_size, emit, machine_info
from benchmarks.royalty_run import (
    PERIOD,
    PG_DEFAULT,
    World,
    _plain_dsn,
    _server_settings,
    load,
    load_postgres,
)

HOLDER_PARTY = "p-studio-holder"
FULL = World(parties=5_000, recordings=1_000, clips=10_000, voices=10, listeners=100_000)
SMOKE = World(parties=500, recordings=100, clips=1_000, voices=5, listeners=1_000)
NOW = datetime(2026, 10, 31, 22, 0, tzinfo=UTC)  # the dashboard's 30 days hold the whole month
ADOPT = [
    "INSERT INTO party (id, name, kind, ipi, payout_currency, independent) "
    "VALUES ('p-studio-holder', 'Studio Holder', 'ARTIST', NULL, 'EUR', true)",
    "UPDATE share SET party_id = 'p-studio-holder' WHERE subject_kind = 'RECORDING' AND numerator = 3",
]


def p99_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1)


async def _timed(call: Callable[[], Awaitable[Any]], repeats: int) -> list[float]:
    await call()  # warm: first-use costs (statement caches, pool) are not what a holder waits for
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


async def measure_url(url: str, repeats: int) -> dict[str, Any]:
    from core.clock import ManualClock
    from core.royalties import RoyaltyService, RunRequest
    from core.royalties.rules import RULES_V1
    from core.studio import Holder, StudioDashboard, StudioRights, StudioStatements
    from storage import Sessions, SqlRoyaltyRepository, create_engine
    from storage.repositories.catalog import SqlCatalogRepository
    from storage.repositories.studio import SqlStudioStore

    engine = create_engine(url)
    try:
        sessions = Sessions(engine)
        royalties = RoyaltyService(SqlRoyaltyRepository(sessions), RULES_V1)
        outcome = await royalties.run(RunRequest(PERIOD, 2_500_000 * 1_000_000, "EUR"), NOW)
        assert outcome.created
        clock = ManualClock(NOW)
        store = SqlStudioStore(sessions)
        rights = StudioRights(store, SqlCatalogRepository(sessions), clock, {"free": 30})
        statements = StudioStatements(royalties, store, clock, "EUR", "REFRAIN")
        dashboard = StudioDashboard(store, rights, statements, clock)
        holder = Holder("bench-account", "holder@example.com", frozenset({HOLDER_PARTY}))
        board = await dashboard.dashboard(holder)
        plays = sum(s.total for s in board.series)
        statement = await statements.statement(holder, HOLDER_PARTY, str(PERIOD))
        assert statement.total > 0 and statement.lines, "the holder's statement is empty"
        board_s = await _timed(lambda: dashboard.dashboard(holder), repeats)
        statement_s = await _timed(lambda: statements.statement(holder, HOLDER_PARTY, str(PERIOD)),
                                   max(5, repeats // 2))
    finally:
        await engine.dispose()
    print(f"{url.split('?')[0]}: {plays:,} plays on the dashboard, {len(statement.lines)} statement "
          f"lines, dashboard median {1000 * statistics.median(board_s):.1f} ms, statement median "
          f"{1000 * statistics.median(statement_s):.1f} ms", file=sys.stderr)
    return {"dashboard_p99_ms": p99_ms(board_s), "statement_p99_ms": p99_ms(statement_s),
            "plays": plays}


def sqlite_run(workdir: Path, plays: int, world: World, repeats: int) -> dict[str, Any]:
    path = workdir / "studio.db"
    loaded = load(path, plays, world)
    db = sqlite3.connect(path, isolation_level=None)
    for statement in ADOPT:
        db.execute(statement.replace("true", "1"))
    db.execute("ANALYZE")
    db.close()
    print(f"SQLite: loaded {plays:,} plays in {loaded:.1f} s", file=sys.stderr)
    return asyncio.run(measure_url(f"sqlite+aiosqlite:///{path}", repeats))


def postgres_run(plays: int, world: World, repeats: int) -> dict[str, Any] | None:
    base = os.environ.get("REFRAIN_TEST_POSTGRES", PG_DEFAULT)
    schema = f"refrain_studio_{secrets.token_hex(4)}"

    async def execute(sql: list[str], url: str = base) -> bool:
        try:
            connection = await asyncpg.connect(_plain_dsn(url), server_settings=_server_settings(url))
        except (OSError, asyncpg.PostgresError) as error:
            print(f"PostgreSQL is down ({error}); skipping it", file=sys.stderr)
            return False
        try:
            for statement in sql:
                await connection.execute(statement)
        finally:
            await connection.close()
        return True

    if not asyncio.run(execute([f'CREATE SCHEMA "{schema}"'])):
        return None
    url = str(make_url(base).set(drivername="postgresql+asyncpg", query={"search_path": schema})
              .render_as_string(False))
    try:
        loaded = asyncio.run(load_postgres(url, plays, world))
        asyncio.run(execute([*ADOPT, "ANALYZE"], url))
        print(f"PostgreSQL: loaded {plays:,} plays in {loaded:.1f} s", file=sys.stderr)
        return asyncio.run(measure_url(url, repeats))
    finally:
        asyncio.run(execute([f'DROP SCHEMA IF EXISTS "{schema}" CASCADE']))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_size(parser, quick="100k plays", smoke="100 songs, 1,000 plays, SQLite and PostgreSQL")
    parser.add_argument("--plays", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=100, help="timed dashboards (statements: half)")
    parser.add_argument("--postgres", action="store_true", help="also on the test PostgreSQL server")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    machine = machine_info()
    world = SMOKE if args.smoke else FULL
    plays = 1_000 if args.smoke else 100_000 if args.quick else args.plays
    repeats = 10 if args.smoke else args.repeats
    with tempfile.TemporaryDirectory(dir=args.workdir) as workdir:
        result = sqlite_run(Path(workdir), plays, world, repeats)
    result["works"] = world.recordings
    line: dict[str, Any] = dict(result)
    if args.postgres or args.smoke:
        pg = postgres_run(plays, world, repeats)
        line["postgres_dashboard_p99_ms"] = pg and pg["dashboard_p99_ms"]
        line["postgres_statement_p99_ms"] = pg and pg["statement_p99_ms"]
        line["postgres_plays"] = pg and pg["plays"]
    emit(line, machine)


if __name__ == "__main__":
    main()
