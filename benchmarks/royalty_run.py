"""Royalty allocation run: N qualified plays, 100k clips, 20k parties, in SQL then exact Python.

The world is bulk-loaded before the clock starts (raw ``executemany`` into
the migrated SQLite file): 20,000 parties, 10,000 works and recordings with
publishing and master shares (10 % with a German MECH override, so
territory matters), 50 voices (one revoked), 100,000 clips of the
recordings (covers, remixes, voice swaps) and N play events with their
qualification rows, spread over a month, 200,000 listeners and 8
territories. Then a *fresh process* runs `royalties run` (pro-rata): the
qualification check, the SQL aggregation, the exact allocation, the
ledger posting and the usage summary — and reports its own wall time and
peak RSS, so the bulk load does not count.

Targets (issue #6): 10 million plays in ≤ 60 s and ≤ 2 GiB, linear (1M and 10M reported).

Run: .venv/bin/python benchmarks/royalty_run.py [--quick] [--plays N]
Last line: {"plays": N, "wall_s": …, "peak_rss_mib": …, "wall_s_1m": …}
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.model import LicenseTerms, Transformation
from core.royalties.allocation import Method
from core.royalties.periods import Period
from core.royalties.rules import DEFAULT_BUCKETS_V1, RULES_V1
from storage.migrate import upgrade
from storage.terms_codec import encode_terms

PERIOD = Period(2026, 10)
PARTIES, RECORDINGS, CLIPS, VOICES, LISTENERS = 20_000, 10_000, 100_000, 50, 200_000
TERRITORIES = ("DE", "FR", "US", "GB", "WW", "AT", "JP", "BR")
POOL = 2_500_000 * 1_000_000  # 2.5 M EUR in micro-units
T0 = "2026-01-01 00:00:00.000000"


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _insert(db: sqlite3.Connection, table: str, rows: Iterator[tuple[Any, ...]] | list[tuple[Any, ...]],
            width: int) -> None:
    db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * width)})", rows)


def load_catalog(db: sqlite3.Connection, rnd: random.Random) -> None:
    kinds = ("SONGWRITER", "PUBLISHER", "LABEL", "ARTIST", "VOICE_OWNER")
    _insert(db, "party", [(f"p{i}", f"Party {i}", kinds[i % 5], None, "EUR", 0)
                          for i in range(PARTIES)], 6)
    _insert(db, "work", [(f"w{i}", f"Work {i}", f"T-{i:09d}-0") for i in range(RECORDINGS)], 3)
    _insert(db, "recording", [(f"r{i}", f"w{i}", f"Song {i}", f"Artist {i % 2000}",
                               f"QZBM{i:08d}", 180.0, None, "{}", "[]")
                              for i in range(RECORDINGS)], 9)
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
    db.executemany(
        "INSERT INTO share (subject_kind, subject_id, party_id, right, numerator, denominator, "
        "territory, valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", shares)
    _insert(db, "voice_model", [(f"v{v}", f"Voice {v}", f"p{(5 * v + 4) % PARTIES}", "ab" * 32,
                                 "covers", "2025-01-01",
                                 "2026-10-15 00:00:00.000000" if v == 0 else None)
                                for v in range(VOICES)], 7)
    terms = LicenseTerms(
        transformations=frozenset(Transformation),
        bucket_templates={t: dict(DEFAULT_BUCKETS_V1[t]) for t in Transformation},
    )
    document = json.dumps(encode_terms(terms))
    _insert(db, "license_version", [(f"l{i}", 1, f"r{i}", document, T0, None)
                                    for i in range(RECORDINGS)], 6)
    _insert(db, "app_user", [("u0", "console", "bench", "Bench", "free", None, None, None, T0)], 9)
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
    _insert(db, "render_request", requests, 22)
    _insert(db, "clip", clips, 13)
    del rnd


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


def load(path: Path, plays: int) -> float:
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))
    started = time.perf_counter()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    load_catalog(db, random.Random(1))
    batch_e: list[tuple[Any, ...]] = []
    batch_q: list[tuple[Any, ...]] = []
    for event, qualification in play_rows(plays, seed=2):
        batch_e.append(event)
        batch_q.append(qualification)
        if len(batch_e) >= 100_000:
            _insert(db, "play_event", batch_e, 13)
            _insert(db, "play_qualification", batch_q, 14)
            batch_e, batch_q = [], []
    if batch_e:
        _insert(db, "play_event", batch_e, 13)
        _insert(db, "play_qualification", batch_q, 14)
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    return time.perf_counter() - started


async def run_once(url: str) -> dict[str, Any]:
    from storage.database import Database
    from storage.repositories.royalties import RunRequest, SqlRoyaltyStore
    from storage.sessions import Sessions

    started = time.perf_counter()
    async with await Database.open(url) as database:
        store = SqlRoyaltyStore(Sessions(database.engine), RULES_V1)
        outcome = await store.run(RunRequest(PERIOD, POOL, "EUR", Method.PRO_RATA),
                                  datetime(2026, 11, 2, tzinfo=UTC))
        summary = await store.summary(PERIOD, "EUR")
    wall = time.perf_counter() - started
    assert outcome.created and summary.conserved and summary.pool_in == POOL
    return {
        "wall_s": round(wall, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "qualified": outcome.run.qualified,
        "legs": outcome.legs,
        "parties": len(summary.owed),
    }


def measure(plays: int, workdir: Path) -> dict[str, Any]:
    path = workdir / f"royalties-{plays}.db"
    loaded = load(path, plays)
    print(f"loaded {plays:,} plays in {loaded:.1f} s", file=sys.stderr)
    child = subprocess.run(
        [sys.executable, __file__, "--run-only", f"sqlite+aiosqlite:///{path}"],
        check=True, capture_output=True, text=True,
    )
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"{plays:,} plays: {result}", file=sys.stderr)
    path.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k plays, no 1M point (< 1 min)")
    parser.add_argument("--plays", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, default=None, help="where the test databases go")
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
    print(json.dumps({"plays": plays, "wall_s": result["wall_s"],
                      "peak_rss_mib": result["peak_rss_mib"], "wall_s_1m": one_million}))



if __name__ == "__main__":
    main()
