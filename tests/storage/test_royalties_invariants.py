"""ROYALTIES.md invariants as hypothesis properties, on SQLite and PostgreSQL.

Each example plays a random month of usage in its own period of one
migrated database (periods never interact), so the database is set up once
per backend and hypothesis explores inputs, not fixtures.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.catalog.demo import REVOKED_VOICE_ID
from core.catalog.shares import shares_on
from core.ids import uuid7
from core.model import (
    ESCROW_PARTY_ID,
    WORLDWIDE,
    Origin,
    PlayEvent,
    RightType,
    SubjectKind,
    UsageType,
)
from core.royalties import RoyaltyService, RunRequest
from core.royalties.allocation import Method
from core.royalties.dsr import read_total, render_dsr
from core.royalties.ledger import balances
from core.royalties.periods import Period
from core.royalties.rules import RULES_V1
from core.royalties.statements import render_csv, render_json
from storage.database import Database
from storage.repositories.plays import SqlPlayLog
from storage.repositories.royalties import SqlRoyaltyRepository
from storage.schema import PlayQualificationRow
from storage.sessions import Sessions
from tests.core.royalties.world_db import CLIP_IDS, seed_world

T = TypeVar("T")
_periods = itertools.count()
LISTENERS = tuple(f"{i:064x}" for i in range(1, 6))


def _next_period() -> Period:
    n = next(_periods)
    return Period(2030 + n // 12, n % 12 + 1)


@st.composite
def months_of_usage(draw: st.DrawFn) -> tuple[list[tuple[object, ...]], int, Method, bool]:
    events = draw(
        st.lists(
            st.tuples(
                st.sampled_from(CLIP_IDS),
                st.sampled_from(list(UsageType)),
                st.sampled_from(LISTENERS),
                st.sampled_from((0, 10_000, 24_000, 35_000, 200_000)),
                st.integers(0, 27 * 86_400),
                st.sampled_from(("WW", "DE", "FR", "AT")),
                st.sampled_from(list(Origin)),
            ),
            min_size=0,
            max_size=60,
        )
    )
    pool = draw(st.integers(1, 10**12))
    return events, pool, draw(st.sampled_from(list(Method))), draw(st.booleans())


def _events(period: Period, raw: list[tuple[object, ...]]) -> list[PlayEvent]:
    out = []
    for clip, usage, listener, ms, offset, territory, origin in raw:
        at = period.start + timedelta(seconds=int(offset))  # type: ignore[call-overload]
        out.append(
            PlayEvent(str(uuid7()), str(clip), None, usage, str(listener), "test", origin,  # type: ignore[arg-type]
                      int(ms), str(territory), at, period.end)  # type: ignore[call-overload]
        )
    return out


def _run_async(db_url: str, body: Callable[[Database], Awaitable[T]]) -> T:
    async def main() -> T:
        database = await Database.open(db_url)
        try:
            await seed_world(database.stores)
            return await body(database)
        finally:
            await database.close()

    return asyncio.run(main())


SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(case=months_of_usage())
def test_a_month_of_usage_keeps_every_invariant(
    db_url: str, case: tuple[list[tuple[object, ...]], int, Method, bool]
) -> None:
    raw, pool, method, artist_centric = case
    period = _next_period()
    events = _events(period, raw)

    async def body(database: Database) -> None:
        sessions = Sessions(database.engine)
        plays = SqlPlayLog(sessions, batch=7)
        store = RoyaltyService(SqlRoyaltyRepository(sessions), RULES_V1)
        at = period.end + timedelta(days=1)

        # 4. idempotent ingestion
        assert await plays.append(events) == len(events)
        assert await plays.append(events) == 0
        assert await plays.append(events[: len(events) // 2]) == 0

        request = RunRequest(period, pool, "EUR", method, artist_centric)
        first = await store.run(request, at)
        assert first.created
        ledger = balances(await store.postings(period))

        # 4. rerunning with the same inputs changes nothing
        again = await store.run(request, at + timedelta(hours=1))
        assert not again.created and again.run.id == first.run.id
        assert balances(await store.postings(period)) == ledger

        # 1. conservation, 2. balanced postings
        summary = await store.summary(period, "EUR")
        assert summary.pool_in == pool == sum(summary.owed.values())
        for posting in await store.postings(period):
            assert sum(leg.amount for leg in posting.legs) == 0

        # 5. one decision per event, caps hold
        async with sessions.read() as session:
            rows = (await session.execute(
                select(PlayQualificationRow.event_id, PlayQualificationRow.qualified,
                       PlayQualificationRow.listener_key, PlayQualificationRow.clip_id,
                       PlayQualificationRow.play_day)
                .where(PlayQualificationRow.period == str(period))
            )).all()
        assert sorted(r[0] for r in rows) == sorted(e.event_id for e in events)
        counted = [r for r in rows if r[1]]
        assert all(n <= RULES_V1.daily_cap_per_clip
                   for n in Counter((r[2], r[3], r[4]) for r in counted).values())
        assert all(n <= RULES_V1.monthly_cap for n in Counter(r[2] for r in counted).values())
        assert first.run.qualified == len(counted)

        # 7. nothing to a revoked voice or an opted-out work
        legs = [leg for p in await store.postings(period) for leg in p.legs]
        revoked_owner = "party-celeste-marlow"
        assert not any(leg.party_id == revoked_owner and leg.amount for leg in legs)
        for leg in legs:
            if leg.recording_id == "rec-lanterns-on-the-water" and leg.right in (
                RightType.PERF, RightType.MECH
            ):
                assert leg.party_id == ESCROW_PARTY_ID
            if leg.recording_id == "rec-velvet-compass" and leg.right is RightType.LIKENESS:
                assert leg.party_id == ESCROW_PARTY_ID

        # 3. deterministic statements, 9. exports reconcile with the ledger
        for party in await store.parties(period):
            statement = await store.statement(party, period, "EUR")
            repeat = await store.statement(party, period, "EUR")
            assert render_csv(statement) == render_csv(repeat)
            assert render_json(statement) == render_json(repeat)
            assert statement.total == ledger.get(f"party:{party}", 0)
            assert read_total(render_dsr(statement, WORLDWIDE)) == statement.total

        # 8. a reversal brings the ledger back; a corrected run gets a new id
        await store.reverse(first.run.id, "test correction", at + timedelta(hours=2))
        assert balances(await store.postings(period)) == {}
        second = await store.run(request, at + timedelta(hours=3))
        assert second.created and second.run.id != first.run.id
        assert balances(await store.postings(period)) == ledger

    _run_async(db_url, body)


def test_stored_shares_sum_to_one_on_every_day_everywhere(db_url: str) -> None:
    """Invariant 6 on the catalog as stored and read back."""

    async def body(database: Database) -> None:
        catalog = database.stores.catalog
        subjects: list[tuple[SubjectKind, str]] = []
        for recording in await catalog.list_recordings():
            subjects += [(SubjectKind.WORK, recording.work_id),
                         (SubjectKind.RECORDING, recording.id)]
        subjects += [(SubjectKind.VOICE_MODEL, v.id) for v in await catalog.list_voice_models()]
        days = [date(2026, 1, 1) + timedelta(days=d) for d in range(0, 400, 37)]
        for kind, subject in subjects:
            shares = await catalog.shares_for(kind, subject)
            assert shares, subject
            by_right = defaultdict(list)
            for share in shares:
                by_right[share.right].append(share)
            for right, owned in by_right.items():
                for day, territory in itertools.product(days, ("WW", "DE", "US")):
                    total = sum((s.fraction for s in shares_on(owned, right, day, territory)),
                                Fraction(0))
                    assert total == 1, (subject, right, day, territory)
        assert REVOKED_VOICE_ID in {v.id for v in await catalog.list_voice_models()}

    _run_async(db_url, body)


_ = datetime, UTC
