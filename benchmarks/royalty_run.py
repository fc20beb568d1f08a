"""Royalty allocation run: N qualified plays, 100k clips, 20k parties, in SQL then exact Python.

The world is bulk-loaded before the clock starts (raw ``executemany`` into
the migrated SQLite file, the play indexes rebuilt once at the end; ``COPY``
into a fresh schema of the test PostgreSQL server with ``--postgres``):
20,000 parties, 10,000 works and recordings with publishing and master
shares (10 % with a German MECH override, so territory matters), 50
voices (one revoked), 100,000 clips of the recordings (covers, remixes,
voice swaps) and N play events with their qualification rows, spread over
a month, 200,000 listeners and 8 territories. Then a *fresh process* runs `royalties run` (pro-rata): the
qualification check, the SQL aggregation, the exact allocation, the
ledger posting and the usage summary — and reports its own wall time and
peak RSS, so the bulk load does not count.

Targets (issue #6): 10 million plays in ≤ 60 s and ≤ 2 GiB, linear (1M and 10M reported).

Run: .venv/bin/python benchmarks/royalty_run.py [--quick] [--plays N] [--workdir DIR]
     [--postgres [--postgres-plays N]]   (10M needs ~10 GB free in DIR, default the temp dir)
Last line: {"plays": N, "wall_s": …, "peak_rss_mib": …, "wall_s_1m": …}, plus with --postgres
"postgres_plays", "postgres_wall_s", "postgres_peak_rss_mib" (null when the server is down).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import itertools
import json
import os
import random
import resource
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.model import LicenseTerms, Transformation
from core.royalties.allocation import Method
from core.royalties.periods import Period
from core.royalties.rules import DEFAULT_BUCKETS_V1, RULES_V1
from storage.migrate import upgrade
from storage.schema import metadata
from storage.schema_royalties import ROYALTY_TABLES
from storage.terms_codec import encode_terms

PERIOD = Period(2026, 10)
PARTIES, RECORDINGS, CLIPS, VOICES, LISTENERS = 20_000, 10_000, 100_000, 50, 200_000
TERRITORIES = ("DE", "FR", "US", "GB", "WW", "AT", "JP", "BR")
POOL = 2_500_000 * 1_000_000  # 2.5 M EUR in micro-units
T0 = "2026-01-01 00:00:00.000000"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


Rows = list[tuple[Any, ...]]


def _insert(db: sqlite3.Connection, table: str, rows: Iterator[tuple[Any, ...]] | Rows,
            columns: tuple[str, ...] | None = None) -> None:
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    names = ", ".join(columns or _columns(table))
    db.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(first))})",
                   itertools.chain([first], rows))


def _columns(table: str) -> tuple[str, ...]:
    """The model's column order (a migrated table may have later columns at its end)."""
    return tuple(column.name for column in metadata.tables[table].columns)


SHARE_COLUMNS = ("subject_kind", "subject_id", "party_id", "right", "numerator", "denominator",
                 "territory", "valid_from", "valid_to")


def catalog_rows() -> list[tuple[str, tuple[str, ...] | None, Rows]]:
    """(table, columns or None for all in order, rows), parents first."""
    kinds = ("SONGWRITER", "PUBLISHER", "LABEL", "ARTIST", "VOICE_OWNER")
    out: list[tuple[str, tuple[str, ...] | None, Rows]] = []
    out.append(("party", None, [(f"p{i}", f"Party {i}", kinds[i % 5], None, "EUR", 0)
                                for i in range(PARTIES)]))
    out.append(("work", None, [(f"w{i}", f"Work {i}", f"T-{i:09d}-0") for i in range(RECORDINGS)]))
    out.append(("recording", None, [(f"r{i}", f"w{i}", f"Song {i}", f"Artist {i % 2000}",
                                     f"QZBM{i:08d}", 180.0, None, "{}", "[]")
                                    for i in range(RECORDINGS)]))
    shares = []
    for i in range(RECORDINGS):
        writer, publisher = f"p{(5 * i) % PARTIES}", f"p{(5 * i + 1) % PARTIES}"
        label, artist = f"p{(5 * i + 2) % PARTIES}", f"p{(5 * i + 3) % PARTIES}"
        shares += [
            ("WORK", f"w{i}", writer, "PERF", 1, 2, "WW", None, None),
            ("WORK", f"w{i}", publisher, "PERF", 1, 2, "WW", None, None),
            ("WORK", f"w{i}", publisher, "MECH", 1, 1, "WW", None, None),
            ("RECORDING", f"r{i}", label, "MASTER", 7, 10, "WW", None, None),
            ("RECORDING", f"r{i}", artist, "MASTER", 3, 10, "WW", None, None),
        ]
        if i % 10 == 0:  # a German sub-publisher collects MECH in DE
            shares.append(("WORK", f"w{i}", f"p{(5 * i + 6) % PARTIES}", "MECH", 1, 1, "DE",
                           None, None))
    for v in range(VOICES):
        shares.append(("VOICE_MODEL", f"v{v}", f"p{(5 * v + 4) % PARTIES}", "LIKENESS", 1, 1, "WW",
                       None, None))
    out.append(("share", SHARE_COLUMNS, shares))
    out.append(("voice_model", None, [(f"v{v}", f"Voice {v}", f"p{(5 * v + 4) % PARTIES}", "ab" * 32,
                                 "covers", "2025-01-01",
                                 "2026-10-15 00:00:00.000000" if v == 0 else None)
                                      for v in range(VOICES)]))
    terms = LicenseTerms(
        transformations=frozenset(Transformation),
        bucket_templates={t: dict(DEFAULT_BUCKETS_V1[t]) for t in Transformation},
    )
    document = json.dumps(encode_terms(terms))
    out.append(("license_version", None, [(f"l{i}", 1, f"r{i}", document, T0, None)
                                          for i in range(RECORDINGS)]))
    out.append(("app_user", None, [("u0", "console", "bench", "Bench", "free", None, None, None, T0)]))
    kinds_t = ("COVER", "COVER", "REMIX", "VOICE_SWAP")
    requests, clips = [], []
    for c in range(CLIPS):
        rec = c % RECORDINGS
        kind = kinds_t[c % 4]
        voice = f"v{c % VOICES}" if kind == "VOICE_SWAP" else None
        rid = f"req{c}"
        requests.append((rid, f"{c:08x}", f"bench:{c}", "u0", "bench", None, kind, f"r{rec}", "lofi",
                         voice, 20, f"l{rec}", 1, "WW", "DELIVERED", 100, "", None, 0, f"c{c}", T0, T0))
        clips.append((f"c{c}", rid, f"r{rec}", kind, "lofi", voice, f"l{rec}", 1, "u0", "ab" * 32,
                      25.0, None, T0))
    out.append(("render_request", None, requests))
    out.append(("clip", None, clips))
    return out


def play_rows(count: int, seed: int) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """(play_event row, play_qualification row) pairs, deterministic."""
    rnd = random.Random(seed)
    listeners = [f"{rnd.getrandbits(256):064x}" for _ in range(LISTENERS)]
    origins = ("COMMAND", "SEARCH", "SHARED_LINK", "INLINE", "BUTTON")
    start = PERIOD.start
    period = str(PERIOD)
    days = [(start + timedelta(days=d)).date().isoformat() for d in range(31)]
    for i in range(count):
        second = rnd.randrange(31 * 86_400)
        at = _time(start + timedelta(seconds=second))
        clip = f"c{int(rnd.paretovariate(1.2) * 7) % CLIPS}"
        listener = listeners[rnd.randrange(LISTENERS)]
        usage = "STREAM" if i % 3 else "DELIVERY"
        origin = origins[i % 5]
        territory = TERRITORIES[i % 8]
        event_id = f"00000000-0000-7000-8000-{i:012x}"
        yield (
            (event_id, clip, None, usage, listener, "telegram", origin, 45_000, territory, at, at,
             period, second // 3600 + int(start.timestamp()) // 3600),
            (event_id, period, 1, "qualified", RULES_V1.version, T0, clip, listener, usage,
             1 if origin in ("COMMAND", "SEARCH") else 0, territory, at, days[second // 86_400],
             period),
        )


PLAY_TABLES = tuple(t for t in ROYALTY_TABLES if t.startswith("play_"))  # events, decisions


def load(path: Path, plays: int) -> float:
    """Bulk-load the world into a migrated SQLite file; the play indexes are rebuilt at the end.

    Building an index once over sorted data is many times faster than growing
    it by ten million random inserts; the schema ends up exactly as migrated.
    """
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))
    started = time.perf_counter()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-262144")
    indexes = [sql for (sql,) in db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (?, ?)",
        PLAY_TABLES)]
    db.execute("BEGIN")
    for statement in indexes:
        db.execute(f"DROP INDEX {statement.split()[2]}")
    for table, columns, rows in catalog_rows():
        _insert(db, table, rows, columns)
    for events, qualifications in play_batches(plays):
        _insert(db, "play_event", events)
        _insert(db, "play_qualification", qualifications)
    for statement in indexes:
        db.execute(statement)
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    return time.perf_counter() - started


def play_batches(plays: int, size: int = 100_000) -> Iterator[tuple[Rows, Rows]]:
    batch_e: Rows = []
    batch_q: Rows = []
    for event, qualification in play_rows(plays, seed=2):
        batch_e.append(event)
        batch_q.append(qualification)
        if len(batch_e) >= size:
            yield batch_e, batch_q
            batch_e, batch_q = [], []
    if batch_e:
        yield batch_e, batch_q


async def load_postgres(url: str, plays: int) -> float:
    """The same world through COPY into a migrated PostgreSQL schema (then ANALYZE)."""
    await upgrade(url)
    started = time.perf_counter()
    connection = await asyncpg.connect(_plain_dsn(url), server_settings=_server_settings(url))
    try:
        async def copy(table: str, columns: tuple[str, ...] | None, rows: Rows) -> None:
            buffer = io.StringIO()
            csv.writer(buffer).writerows(  # NULL is spelled \\N: an empty field is ''
                tuple(r"\N" if value is None else value for value in row) for row in rows)
            buffer.seek(0)
            await connection.copy_to_table(table, source=io.BytesIO(buffer.getvalue().encode()),
                                           columns=list(columns or _columns(table)), format="csv", null=r"\N")

        for table, columns, rows in catalog_rows():
            await copy(table, columns, rows)
        for events, qualifications in play_batches(plays):
            await copy("play_event", None, events)
            await copy("play_qualification", None, qualifications)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return time.perf_counter() - started


def _plain_dsn(url: str) -> str:
    return str(make_url(url).set(drivername="postgresql", query={}).render_as_string(False))


def _server_settings(url: str) -> dict[str, str]:
    schema = make_url(url).query.get("search_path")
    return {"search_path": str(schema), "timezone": "UTC"} if schema else {"timezone": "UTC"}


def _peak_rss_mib() -> float:
    """This process image's peak RSS: Linux's VmHWM starts afresh at exec, whereas ``ru_maxrss``
    keeps the forking parent's high-water mark (the loader's, hundreds of MiB)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


async def run_once(url: str) -> dict[str, Any]:
    from storage.engine import create_engine
    from storage.repositories.royalties import RunRequest, SqlRoyaltyStore
    from storage.sessions import Sessions

    started = time.perf_counter()
    engine = create_engine(url)  # only the engine: the run needs no other repository
    try:
        store = SqlRoyaltyStore(Sessions(engine), RULES_V1)
        outcome = await store.run(RunRequest(PERIOD, POOL, "EUR", Method.PRO_RATA),
                                  datetime(2026, 11, 2, tzinfo=UTC))
        summary = await store.summary(PERIOD, "EUR")
    finally:
        await engine.dispose()
    wall = time.perf_counter() - started
    assert outcome.created and summary.conserved and summary.pool_in == POOL
    return {
        "wall_s": round(wall, 2),
        "peak_rss_mib": _peak_rss_mib(),
        "qualified": outcome.run.qualified,
        "legs": outcome.legs,
        "parties": len(summary.owed),
    }


def _run_child(url: str) -> dict[str, Any]:
    """The run in a fresh process, so its peak RSS is its own."""
    child = subprocess.run([sys.executable, __file__, "--run-only", url],
                           check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


def measure(plays: int, workdir: Path) -> dict[str, Any]:
    path = workdir / f"royalties-{plays}.db"
    loaded = load(path, plays)
    print(f"SQLite: loaded {plays:,} plays in {loaded:.1f} s", file=sys.stderr)
    result = _run_child(f"sqlite+aiosqlite:///{path}")
    print(f"SQLite: {plays:,} plays: {result}", file=sys.stderr)
    path.unlink()
    return result


def measure_postgres(plays: int) -> dict[str, Any] | None:
    """The same run on the test PostgreSQL server, in a fresh schema dropped afterwards."""
    base = os.environ.get("REFRAIN_TEST_POSTGRES", PG_DEFAULT)
    schema = f"refrain_bench_{secrets.token_hex(4)}"

    async def schema_op(sql: str) -> bool:
        try:
            connection = await asyncpg.connect(_plain_dsn(base))
        except (OSError, asyncpg.PostgresError) as error:
            print(f"PostgreSQL is down ({error}); skipping it", file=sys.stderr)
            return False
        try:
            await connection.execute(sql)
        finally:
            await connection.close()
        return True

    if not asyncio.run(schema_op(f'CREATE SCHEMA "{schema}"')):
        return None
    url = str(make_url(base).set(drivername="postgresql+asyncpg", query={"search_path": schema})
              .render_as_string(False))
    try:
        loaded = asyncio.run(load_postgres(url, plays))
        print(f"PostgreSQL: loaded {plays:,} plays in {loaded:.1f} s", file=sys.stderr)
        result = _run_child(url)
        print(f"PostgreSQL: {plays:,} plays: {result}", file=sys.stderr)
    finally:
        asyncio.run(schema_op(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k plays, no 1M point (< 1 min)")
    parser.add_argument("--plays", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, default=None, help="where the test databases go")
    parser.add_argument("--postgres", action="store_true",
                        help="also run on the test PostgreSQL server (REFRAIN_TEST_POSTGRES)")
    parser.add_argument("--postgres-plays", type=int, default=1_000_000)
    parser.add_argument("--run-only", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_only:
        print(json.dumps(asyncio.run(run_once(args.run_only))))
        return
    plays = 100_000 if args.quick else args.plays
    with tempfile.TemporaryDirectory(dir=args.workdir) as workdir:
        one_million = None
        if not args.quick and plays != 1_000_000:
            one_million = measure(1_000_000, Path(workdir))["wall_s"]
        result = measure(plays, Path(workdir))
        if plays == 1_000_000:
            one_million = result["wall_s"]
    line: dict[str, Any] = {"plays": plays, "wall_s": result["wall_s"],
                            "peak_rss_mib": result["peak_rss_mib"], "wall_s_1m": one_million}
    if args.postgres:
        pg_plays = 100_000 if args.quick else args.postgres_plays
        pg = measure_postgres(pg_plays)
        line.update({"postgres_plays": pg_plays, "postgres_wall_s": pg and pg["wall_s"],
                     "postgres_peak_rss_mib": pg and pg["peak_rss_mib"]})
    print(json.dumps(line))


if __name__ == "__main__":
    main()
