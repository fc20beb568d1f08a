"""Runs, reversals, closing and late usage, and the append-only guards (invariant 11)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from core.ids import uuid7
from core.model import Origin, PlayEvent, UsageType
from core.royalties import RoyaltyError, RoyaltyService, RunRequest
from core.royalties.periods import Period
from core.royalties.rules import RULES_V1
from storage.database import Database
from storage.errors import AppendOnlyViolation
from storage.repositories.plays import SqlPlayLog
from storage.repositories.royalties import SqlRoyaltyRepository
from storage.schema import ROYALTY_TABLES, LedgerEntryRow, PlayEventRow
from storage.sessions import Sessions
from tests.core.royalties.world_db import seed_world

NOV = Period(2026, 11)
DEC = Period(2026, 12)


def _play(period: Period, clip: str = "clip-gh-cover", listener: str = "a" * 64,
          minutes: int = 0, ms: int = 40_000) -> PlayEvent:
    at = period.start + timedelta(days=2, minutes=minutes)
    return PlayEvent(str(uuid7()), clip, None, UsageType.STREAM, listener, "web",
                     Origin.SHARED_LINK, ms, "DE", at, at + timedelta(seconds=5))


async def _setup(database: Database) -> tuple[SqlPlayLog, RoyaltyService]:
    await seed_world(database.stores)
    sessions = Sessions(database.engine)
    return SqlPlayLog(sessions), RoyaltyService(SqlRoyaltyRepository(sessions), RULES_V1)


async def test_one_active_run_per_period_replace_and_close(database: Database) -> None:
    plays, store = await _setup(database)
    await plays.append([_play(NOV, minutes=m) for m in range(0, 100, 5)])
    at = DEC.start + timedelta(days=1)
    first = await store.run(RunRequest(NOV, 1_000_000, "EUR"), at)
    with pytest.raises(RoyaltyError, match=r"already has run .* --replace"):
        await store.run(RunRequest(NOV, 2_000_000, "EUR"), at)
    replaced = await store.run(RunRequest(NOV, 2_000_000, "EUR", replace=True), at)
    assert replaced.replaced == first.run.id
    assert (await store.summary(NOV, "EUR")).pool_in == 2_000_000
    runs = await store.runs(NOV)
    assert [r.reversed_why for r in runs] == ["replaced by a new run", None]

    # plays arriving after the run must be allocated before the period can close
    await plays.append([_play(NOV, minutes=200)])
    with pytest.raises(RoyaltyError, match="1 plays of 2026-11 arrived after run"):
        await store.close(NOV, at)
    await store.run(RunRequest(NOV, 2_000_000, "EUR", replace=True), at)
    await store.close(NOV, at)
    with pytest.raises(RoyaltyError, match="closed"):
        await store.run(RunRequest(NOV, 3_000_000, "EUR", replace=True), at)
    active = await store.active_run(NOV)
    assert active is not None
    with pytest.raises(RoyaltyError, match="closed"):
        await store.reverse(active.id, "too late", at)

    # usage of a closed period arriving late is posted in the next period, marked late
    late = _play(NOV, minutes=300)
    assert await plays.append([late]) == 1
    assert await plays.count("2026-12") == 1
    await store.run(RunRequest(DEC, 500_000, "EUR"), DEC.end)
    statement = await store.statement("party-northstar-label", DEC, "EUR")
    assert [(line.played_period, line.qualified) for line in statement.lines] == [("2026-11", 1)]
    assert statement.total > 0


async def test_reversal_needs_a_reason_and_happens_once(database: Database) -> None:
    plays, store = await _setup(database)
    await plays.append([_play(NOV)])
    run = await store.run(RunRequest(NOV, 10, "EUR"), DEC.start)
    with pytest.raises(RoyaltyError, match="say why"):
        await store.reverse(run.run.id, "  ", DEC.start)
    with pytest.raises(RoyaltyError, match="no allocation run"):
        await store.reverse("nope", "x", DEC.start)
    await store.reverse(run.run.id, "wrong pool", DEC.start)
    with pytest.raises(RoyaltyError, match="already reversed"):
        await store.reverse(run.run.id, "again", DEC.start)
    summary = await store.summary(NOV, "EUR")
    assert summary.pool_in == 0 and summary.owed == {}


async def test_fraud_suspects_are_excluded_and_listed(database: Database) -> None:
    plays, store = await _setup(database)
    bot = "b" * 64
    # 30 ten-minute streams in one hour: 300 minutes of listening in 60
    await plays.append([_play(NOV, listener=bot, minutes=m * 2, ms=600_000) for m in range(30)])
    await plays.append([_play(NOV, listener="c" * 64, minutes=m * 10) for m in range(5)])
    await store.run(RunRequest(NOV, 1_000, "EUR"), DEC.start)
    suspects = await store.suspects(NOV)
    assert [s.listener_key for s in suspects] == [bot]
    assert "min streamed in one hour" in suspects[0].reason
    counts = await store.qualification_counts(NOV)
    assert counts["fraud_suspect"] == 30 and counts["qualified"] == 5


async def test_royalty_tables_refuse_update_and_delete_from_code(database: Database) -> None:
    async with database.engine.begin() as connection:
        for statement in (update(LedgerEntryRow).values(amount_micros=0), delete(PlayEventRow)):
            with pytest.raises(AppendOnlyViolation, match="append-only"):
                await connection.execute(statement)


async def test_royalty_tables_refuse_update_and_delete_in_raw_sql(database: Database) -> None:
    """Invariant 11: the database itself refuses (triggers on PostgreSQL and SQLite)."""
    plays, store = await _setup(database)
    await plays.append([_play(NOV, minutes=m) for m in range(0, 60, 5)])
    await plays.append([_play(NOV, listener="b" * 64, minutes=m, ms=600_000) for m in range(30)])
    run = await store.run(RunRequest(NOV, 1_000, "EUR"), DEC.start)
    await store.reverse(run.run.id, "for the test", DEC.start)
    await store.run(RunRequest(NOV, 1_000, "EUR"), DEC.start)
    await store.close(NOV, DEC.start)
    for table in ROYALTY_TABLES:
        for sql in (f"UPDATE {table} SET {_column(table)} = {_column(table)}", f"DELETE FROM {table}"):
            with pytest.raises(DBAPIError, match="append-only"):
                async with database.engine.begin() as connection:
                    await connection.execute(text(sql))
    assert (await store.summary(NOV, "EUR")).conserved


def _column(table: str) -> str:
    return {"royalty_period": "period", "period_close": "period", "fraud_flag": "period"}.get(
        table, "run_id" if table in ("run_reversal", "allocation_usage", "ledger_posting")
        else "event_id" if table.startswith("play_") else "id" if table == "allocation_run"
        else "period"
    )
