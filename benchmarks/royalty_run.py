"""Royalty allocation run: N qualified plays, 100k clips, 20k parties, in SQL then exact Python.

The world is bulk-loaded before the clock starts (``executemany`` into
the migrated SQLite file, the play indexes rebuilt once at the end; ``COPY``
into a fresh schema of the test PostgreSQL server with ``--postgres``):
20,000 parties, 10,000 works and recordings with publishing and master
shares (10 % with a German MECH override, so territory matters), 50
voices (one revoked), 100,000 clips of the recordings (covers, remixes,
voice swaps) and N play events with their qualification rows, spread over
a month, 200,000 listeners and 8 territories. Rows are built by column
name and every statement names its columns; a column the benchmark does not
fill gets the database's default, the model's scalar default or NULL, and a
NOT NULL column with none of them stops the load at once with its name — so a
migration that adds a column never shifts values into the wrong one. Then a
*fresh process* runs `royalties run` (pro-rata): the
qualification check, the SQL aggregation, the exact allocation, the
ledger posting and the usage summary — and reports its own wall time and
peak RSS, so the bulk load does not count.

Targets (issue #6): 10 million plays in ≤ 60 s and ≤ 2 GiB, linear (1M and 10M reported).

Run: .venv/bin/python benchmarks/royalty_run.py [--quick | --smoke] [--plays N] [--workdir DIR]
     [--postgres [--postgres-plays N]]   (10M needs ~10 GB free in DIR, default the temp dir)
``--postgres-plays`` defaults to ``--plays``; ``--smoke`` loads a world 1 % the size with
1,000 plays on both backends. Last line: {"plays": N, "wall_s": …, "peak_rss_mib": …,
"wall_s_1m": …}, plus with --postgres "postgres_plays", "postgres_wall_s",
"postgres_peak_rss_mib" (null when the server is down), and the machine (benchmarks/_machine.py).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import asyncpg
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import add_run_size, emit, machine_info
from core.model import LicenseTerms, Transformation
from core.royalties import Method, Period
from core.royalties.rules import DEFAULT_BUCKETS_V1, RULES_V1
from storage import upgrade
from storage.schema import ROYALTY_TABLES, metadata
from storage.terms_codec import encode_terms

PERIOD = Period(2026, 10)
TERRITORIES = ("DE", "FR", "US", "GB", "WW", "AT", "JP", "BR")
POOL = 2_500_000 * 1_000_000  # 2.5 M EUR in micro-units
T0 = "2026-01-01 00:00:00.000000"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class World:
    """How many of each thing the catalog side of the world holds."""

    parties: int
    recordings: int
    clips: int
    voices: int
    listeners: int


FULL = World(parties=20_000, recordings=10_000, clips=100_000, voices=50, listeners=200_000)
SMOKE = World(parties=200, recordings=100, clips=1_000, voices=5, listeners=1_000)

Row = tuple[Any, ...]


class Rows(NamedTuple):
    """Rows of one table, each value under the column of the same position in ``columns``."""

    table: str
    columns: tuple[str, ...]
    rows: Iterable[Row]


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def named(table: str, records: Iterable[Mapping[str, Any]]) -> Rows:
    """Rows from dicts of column name → value (every dict with the same names)."""
    records = list(records)
    columns = tuple(records[0]) if records else ()
    return Rows(table, columns, [tuple(record[name] for name in columns) for record in records])


def completed(rows: Rows, schema: MetaData = metadata) -> Rows:
    """``rows`` with a value for every column of the table that the database cannot fill itself.

    A column the benchmark does not name gets its server default or next
    autoincrement value (the database fills it), its model's scalar default
    (added here) or, when nullable, NULL.
    A NOT NULL column with none of these stops the load before anything is
    written, naming it: the benchmark must learn what to put there.
    """
    table = schema.tables[rows.table]
    unknown = set(rows.columns) - set(table.columns.keys())
    if unknown:
        raise SystemExit(f"royalty_run: {rows.table} has no column {', '.join(sorted(unknown))}")
    names: list[str] = []
    values: list[Any] = []
    for column in table.columns:
        if (column.name in rows.columns or column.server_default is not None
                or column is table.autoincrement_column):
            continue
        if column.default is not None and column.default.is_scalar:
            names.append(column.name)
            values.append(column.default.arg)  # type: ignore[attr-defined]
        elif not column.nullable:
            raise SystemExit(f"royalty_run: {rows.table}.{column.name} is NOT NULL and has no default: "
                             "the benchmark's rows must fill it")
    if not names:
        return rows
    extra = tuple(values)
    return Rows(rows.table, rows.columns + tuple(names), (row + extra for row in rows.rows))


def catalog_rows(world: World) -> list[Rows]:
    """Every catalog-side table's rows, parents first."""
    kinds = ("SONGWRITER", "PUBLISHER", "LABEL", "ARTIST", "VOICE_OWNER")
    out = [
        named("party", ({"id": f"p{i}", "name": f"Party {i}", "kind": kinds[i % 5], "ipi": None,
                         "payout_currency": "EUR", "independent": 0} for i in range(world.parties))),
        named("work", ({"id": f"w{i}", "title": f"Work {i}", "iswc": f"T-{i:09d}-0"}
                       for i in range(world.recordings))),
        named("recording", ({"id": f"r{i}", "work_id": f"w{i}", "title": f"Song {i}",
                             "artist": f"Artist {i % 2000}", "isrc": f"QZBM{i:08d}", "duration_s": 180.0,
                             "audio_sha256": None, "stems": "{}", "aliases": "[]"}
                            for i in range(world.recordings))),
        named("share", _shares(world)),
        named("voice_model", ({"id": f"v{v}", "name": f"Voice {v}",
                               "owner_party_id": f"p{(5 * v + 4) % world.parties}",
                               "consent_document_sha256": "ab" * 32, "consent_scope": "covers",
                               "consent_signed_on": "2025-01-01",
                               "revoked_at": "2026-10-15 00:00:00.000000" if v == 0 else None}
                              for v in range(world.voices))),
    ]
    terms = LicenseTerms(
        transformations=frozenset(Transformation),
        bucket_templates={t: dict(DEFAULT_BUCKETS_V1[t]) for t in Transformation},
    )
    document = json.dumps(encode_terms(terms))
    out.append(named("license_version", ({"id": f"l{i}", "version": 1, "recording_id": f"r{i}",
                                          "terms": document, "created_at": T0, "revoked_at": None}
                                         for i in range(world.recordings))))
    out.append(named("app_user", [{"id": "u0", "platform": "console", "platform_user_id": "bench",
                                   "display_name": "Bench", "tier": "free", "created_at": T0}]))
    kinds_t = ("COVER", "COVER", "REMIX", "VOICE_SWAP")
    requests: list[dict[str, Any]] = []
    clips: list[dict[str, Any]] = []
    for c in range(world.clips):
        rec = c % world.recordings
        kind = kinds_t[c % 4]
        voice = f"v{c % world.voices}" if kind == "VOICE_SWAP" else None
        rid = f"req{c}"
        same = {"recording_id": f"r{rec}", "transformation": kind, "style": "lofi",
                "voice_model_id": voice, "license_id": f"l{rec}", "license_version": 1, "created_at": T0}
        requests.append(same | {
            "id": rid, "short_id": f"{c:08x}", "idempotency_key": f"bench:{c}", "user_id": "u0",
            "scope_id": "bench", "channel_id": None, "seconds": 20, "territory": "WW",
            "state": "DELIVERED", "progress": 100, "stage": "", "error": None, "variation": 0,
            "clip_id": f"c{c}", "updated_at": T0,
        })
        clips.append(same | {"id": f"c{c}", "request_id": rid, "requester_id": "u0",
                             "audio_sha256": "ab" * 32, "duration_s": 25.0, "watermark_token": None})
    out.append(named("render_request", requests))
    out.append(named("clip", clips))
    return out


def _shares(world: World) -> Iterator[dict[str, Any]]:
    def share(kind: str, subject: str, party: int, right: str, numerator: int, denominator: int,
              territory: str = "WW") -> dict[str, Any]:
        return {"subject_kind": kind, "subject_id": subject, "party_id": f"p{party % world.parties}",
                "right": right, "numerator": numerator, "denominator": denominator,
                "territory": territory, "valid_from": None, "valid_to": None}

    for i in range(world.recordings):
        writer, publisher, label, artist = 5 * i, 5 * i + 1, 5 * i + 2, 5 * i + 3
        yield share("WORK", f"w{i}", writer, "PERF", 1, 2)
        yield share("WORK", f"w{i}", publisher, "PERF", 1, 2)
        yield share("WORK", f"w{i}", publisher, "MECH", 1, 1)
        yield share("RECORDING", f"r{i}", label, "MASTER", 7, 10)
        yield share("RECORDING", f"r{i}", artist, "MASTER", 3, 10)
        if i % 10 == 0:  # a German sub-publisher collects MECH in DE
            yield share("WORK", f"w{i}", 5 * i + 6, "MECH", 1, 1, "DE")
    for v in range(world.voices):
        yield share("VOICE_MODEL", f"v{v}", 5 * v + 4, "LIKENESS", 1, 1)


# Ten million plays are built as tuples (dicts would double the load time): each tuple
# below lists its values in the order of these names, which the INSERT/COPY then names.
PLAY_EVENT_COLUMNS = ("event_id", "clip_id", "delivery_id", "usage", "listener_key", "platform", "origin",
                      "ms_played", "territory", "played_at", "received_at", "period", "play_hour")
PLAY_QUALIFICATION_COLUMNS = ("event_id", "period", "qualified", "reason", "rules_version", "decided_at",
                              "clip_id", "listener_key", "usage", "active", "territory", "played_at",
                              "play_day", "played_period")


def play_rows(count: int, seed: int, world: World) -> Iterator[tuple[Row, Row]]:
    """(play_event row, play_qualification row) pairs, deterministic, in the columns above."""
    rnd = random.Random(seed)
    listeners = [f"{rnd.getrandbits(256):064x}" for _ in range(world.listeners)]
    origins = ("COMMAND", "SEARCH", "SHARED_LINK", "INLINE", "BUTTON")
    start = PERIOD.start
    period = str(PERIOD)
    days = [(start + timedelta(days=d)).date().isoformat() for d in range(31)]
    for i in range(count):
        second = rnd.randrange(31 * 86_400)
        at = _time(start + timedelta(seconds=second))
        clip = f"c{int(rnd.paretovariate(1.2) * 7) % world.clips}"
        listener = listeners[rnd.randrange(world.listeners)]
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


def play_batches(plays: int, world: World, size: int = 100_000) -> Iterator[tuple[Rows, Rows]]:
    batch_e: list[Row] = []
    batch_q: list[Row] = []
    for event, qualification in play_rows(plays, seed=2, world=world):
        batch_e.append(event)
        batch_q.append(qualification)
        if len(batch_e) >= size:
            yield _play_rows(batch_e, batch_q)
            batch_e, batch_q = [], []
    if batch_e:
        yield _play_rows(batch_e, batch_q)


def _play_rows(events: list[Row], qualifications: list[Row]) -> tuple[Rows, Rows]:
    return (Rows("play_event", PLAY_EVENT_COLUMNS, events),
            Rows("play_qualification", PLAY_QUALIFICATION_COLUMNS, qualifications))


def world_rows(plays: int, world: World) -> Iterator[Rows]:
    """Everything to load, parents first, each table's rows completed (see ``completed``)."""
    for rows in catalog_rows(world):
        yield completed(rows)
    for events, qualifications in play_batches(plays, world):
        yield completed(events)
        yield completed(qualifications)


PLAY_TABLES = tuple(t for t in ROYALTY_TABLES if t.startswith("play_"))  # events, decisions


def load(path: Path, plays: int, world: World) -> float:
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
    for rows in world_rows(plays, world):
        names = ", ".join(f'"{name}"' for name in rows.columns)
        db.executemany(f'INSERT INTO "{rows.table}" ({names}) VALUES ({", ".join("?" * len(rows.columns))})',
                       rows.rows)
    for statement in indexes:
        db.execute(statement)
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    return time.perf_counter() - started


async def load_postgres(url: str, plays: int, world: World) -> float:
    """The same world through COPY into a migrated PostgreSQL schema (then ANALYZE)."""
    await upgrade(url)
    started = time.perf_counter()
    connection = await asyncpg.connect(_plain_dsn(url), server_settings=_server_settings(url))
    try:
        for rows in world_rows(plays, world):
            buffer = io.StringIO()
            csv.writer(buffer).writerows(  # NULL is spelled \\N: an empty field is ''
                tuple(r"\N" if value is None else value for value in row) for row in rows.rows)
            await connection.copy_to_table(rows.table, source=io.BytesIO(buffer.getvalue().encode()),
                                           columns=list(rows.columns), format="csv", null=r"\N")
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
    from core.royalties import RoyaltyService, RunRequest
    from storage import Sessions, SqlRoyaltyRepository, create_engine

    started = time.perf_counter()
    engine = create_engine(url)  # only the engine: the run needs no other repository
    try:
        store = RoyaltyService(SqlRoyaltyRepository(Sessions(engine)), RULES_V1)
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


def measure(plays: int, workdir: Path, world: World) -> dict[str, Any]:
    path = workdir / f"royalties-{plays}.db"
    loaded = load(path, plays, world)
    print(f"SQLite: loaded {plays:,} plays in {loaded:.1f} s", file=sys.stderr)
    result = _run_child(f"sqlite+aiosqlite:///{path}")
    print(f"SQLite: {plays:,} plays: {result}", file=sys.stderr)
    path.unlink()
    return result


def measure_postgres(plays: int, world: World) -> dict[str, Any] | None:
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
        loaded = asyncio.run(load_postgres(url, plays, world))
        print(f"PostgreSQL: loaded {plays:,} plays in {loaded:.1f} s", file=sys.stderr)
        result = _run_child(url)
        print(f"PostgreSQL: {plays:,} plays: {result}", file=sys.stderr)
    finally:
        asyncio.run(schema_op(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_size(parser, quick="100k plays, no 1M point (< 1 min)",
                 smoke="a world 1 %% the size, 1,000 plays, SQLite and PostgreSQL")
    parser.add_argument("--plays", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, default=None, help="where the test databases go")
    parser.add_argument("--postgres", action="store_true",
                        help="also run on the test PostgreSQL server (REFRAIN_TEST_POSTGRES)")
    parser.add_argument("--postgres-plays", type=int, default=None, help="default: --plays")
    parser.add_argument("--run-only", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_only:
        print(json.dumps(asyncio.run(run_once(args.run_only))))
        return
    machine = machine_info()
    world = SMOKE if args.smoke else FULL
    plays = 1_000 if args.smoke else 100_000 if args.quick else args.plays
    with tempfile.TemporaryDirectory(dir=args.workdir) as workdir:
        one_million = None
        if not (args.quick or args.smoke) and plays != 1_000_000:
            one_million = measure(1_000_000, Path(workdir), world)["wall_s"]
        result = measure(plays, Path(workdir), world)
        if plays == 1_000_000:
            one_million = result["wall_s"]
    line: dict[str, Any] = {"plays": plays, "wall_s": result["wall_s"],
                            "peak_rss_mib": result["peak_rss_mib"], "wall_s_1m": one_million}
    if args.postgres or args.smoke:
        pg_plays = plays if args.quick or args.smoke else args.postgres_plays or plays
        pg = measure_postgres(pg_plays, world)
        line.update({"postgres_plays": pg_plays, "postgres_wall_s": pg and pg["wall_s"],
                     "postgres_peak_rss_mib": pg and pg["peak_rss_mib"]})
    emit(line, machine)


if __name__ == "__main__":
    main()
