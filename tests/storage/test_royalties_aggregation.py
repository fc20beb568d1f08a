"""The run's SQL aggregation equals the allocation of the same plays taken one by one.

A run counts plays per clip in SQL (streamed over a covering index), per day
only for clips whose shares are dated, and play by play only for clips with
something in escrow (see ``SqlRoyaltyRepository``'s ``usage_counts``). This month makes
every path matter — a publishing split that changes mid-month, a voice
revoked mid-month, a recording opted out mid-month — and the ledger must equal,
to the micro-unit, the core allocation of each qualified play on its own day
with its own escrow situation (ROYALTIES.md invariants 1, 2 and 7).
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import select

from core.catalog.demo import ACTIVE_VOICE_ID
from core.ids import uuid7
from core.model import (
    ESCROW_PARTY_ID,
    OptDeclaration,
    Origin,
    PlayEvent,
    RightType,
    Share,
    SubjectKind,
    Transformation,
    UsageType,
)
from core.ports import CatalogBatch
from core.royalties import RoyaltyService, RunRequest
from core.royalties.allocation import (
    ClipClass,
    Escrow,
    GroupKey,
    LegKey,
    Method,
    UsageCount,
    allocate,
    group_weights,
)
from core.royalties.escrow import opted_out_at
from core.royalties.ledger import PARTY_ACCOUNT
from core.royalties.periods import Period
from core.royalties.rules import RULES_V1
from storage.database import Database
from storage.repositories.royalties import SqlRoyaltyRepository
from storage.schema import PlayQualificationRow as PQ
from storage.sessions import Sessions
from tests.core.royalties.world_db import CLIP_IDS, seed_world

PERIOD = Period(2031, 5)
MIDDLE = PERIOD.start + timedelta(days=12, hours=9)
SPLIT_DAY = date(2031, 5, 20)
TERRITORIES = ("WW", "DE", "FR", "AT")


async def _a_month_where_everything_changes(database: Database, seed: int) -> None:
    stores = database.stores
    await seed_world(stores)
    catalog = stores.catalog
    # the publishing split of golden-hour's work changes on SPLIT_DAY (in every territory)
    recording = await catalog.get_recording("rec-golden-hour")
    assert recording is not None
    old = await catalog.shares_for(SubjectKind.WORK, recording.work_id)
    perf_owner = next(s.party_id for s in old if s.right is RightType.PERF)
    dated = [dataclasses.replace(s, valid_to=SPLIT_DAY) for s in old]
    dated += [dataclasses.replace(s, valid_from=SPLIT_DAY) for s in old if s.right is not RightType.PERF]
    dated += [Share(SubjectKind.WORK, recording.work_id, perf_owner, RightType.PERF, Fraction(1),
                    territory, SPLIT_DAY)
              for territory in sorted({s.territory for s in old if s.right is RightType.PERF})]
    await catalog.import_batch(CatalogBatch(shares=dated), PERIOD.start)
    # the active voice is revoked, and paper-satellites opted out, in the middle of the month
    await catalog.revoke_voice_model(ACTIVE_VOICE_ID, MIDDLE)
    owner = (await catalog.shares_for(SubjectKind.RECORDING, "rec-paper-satellites"))[0].party_id
    await catalog.add_opt_declaration(OptDeclaration(
        SubjectKind.RECORDING, "rec-paper-satellites", owner, False,
        declared_at=MIDDLE + timedelta(days=2)))
    rnd = random.Random(seed)
    events = []
    for _ in range(240):
        at = PERIOD.start + timedelta(seconds=rnd.randrange(30 * 86_400))
        events.append(PlayEvent(
            str(uuid7()), rnd.choice(CLIP_IDS), None, rnd.choice(list(UsageType)),
            f"{rnd.randrange(1, 12):064x}", "test", rnd.choice(list(Origin)),
            rnd.choice((0, 35_000, 200_000)), rnd.choice(TERRITORIES), at, at,
        ))
    assert await stores.plays.append(events) == len(events)


async def _one_by_one(database: Database, pool: int, method: Method, seed: str) -> dict[LegKey, int]:
    """The core allocation of every qualified play as its own group (no SQL aggregation)."""
    stores = database.stores
    catalog = stores.catalog
    async with Sessions(database.engine).read() as session:
        plays = (await session.execute(
            select(PQ.clip_id, PQ.usage, PQ.active, PQ.territory, PQ.played_at, PQ.play_day,
                   PQ.played_period, PQ.listener_key)
            .where(PQ.period == str(PERIOD), PQ.qualified.is_(True))
        )).all()
    classes: dict[str, ClipClass] = {}
    book: dict[tuple[SubjectKind, str], list[Share]] = {}
    escrow_of: dict[str, tuple[datetime | None, list[OptDeclaration], list[OptDeclaration]]] = {}
    for clip_id in {p.clip_id for p in plays}:
        clip = await stores.clips.get(clip_id)
        assert clip is not None
        recording = await catalog.get_recording(clip.recording_id)
        license_ = await catalog.get_license(clip.license_id, clip.license_version)
        assert recording is not None and license_ is not None
        buckets = RULES_V1.buckets_for(clip.transformation, license_.terms.bucket_templates)
        classes[clip_id] = ClipClass(
            clip_id, recording.id, recording.work_id, Transformation(clip.transformation),
            clip.voice_model_id, tuple(sorted(buckets.items(), key=lambda b: b[0].value)),
            recording.artist,
        )
        subjects = [(SubjectKind.WORK, recording.work_id), (SubjectKind.RECORDING, recording.id)]
        revoked_at = None
        if clip.voice_model_id:
            subjects.append((SubjectKind.VOICE_MODEL, clip.voice_model_id))
            voice = await catalog.get_voice_model(clip.voice_model_id)
            revoked_at = voice.revoked_at if voice else None
        for subject in subjects:
            book[subject] = await catalog.shares_for(*subject)
        escrow_of[clip_id] = (
            revoked_at,
            await catalog.opt_declarations(SubjectKind.WORK, recording.work_id),
            await catalog.opt_declarations(SubjectKind.RECORDING, recording.id),
        )
    counts = []
    for p in plays:
        revoked_at, work_declarations, recording_declarations = escrow_of[p.clip_id]
        escrow = Escrow(
            revoked_at is not None and p.played_at >= revoked_at,
            opted_out_at(work_declarations, p.played_at),
            opted_out_at(recording_declarations, p.played_at),
        )
        group = GroupKey(p.clip_id, p.play_day, p.territory, p.played_period, escrow)
        listener = p.listener_key if method is Method.USER_CENTRIC else None
        counts.append(UsageCount(group, UsageType(p.usage), p.active, 1, listener))
    weights = group_weights(counts, method=method, rules=RULES_V1, classes=classes)
    return allocate(pool, weights, classes=classes, book=book, seed=seed)


@pytest.mark.parametrize("method", list(Method))
@pytest.mark.parametrize("seed", [1, 2])
async def test_the_aggregated_run_pays_exactly_what_each_play_is_worth(
    database: Database, method: Method, seed: int
) -> None:
    await _a_month_where_everything_changes(database, seed)
    store = RoyaltyService(SqlRoyaltyRepository(Sessions(database.engine)), RULES_V1)
    pool = 987_654_321_007
    outcome = await store.run(RunRequest(PERIOD, pool, "EUR", method), PERIOD.end + timedelta(days=1))
    assert outcome.created and outcome.run.events == 240
    (posting,) = await store.postings(PERIOD)
    stored = {
        LegKey(leg.party_id or "", leg.right or RightType.PERF, leg.recording_id or "",
               leg.territory or "", leg.played_period or ""): leg.amount
        for leg in posting.legs if leg.account == PARTY_ACCOUNT
    }
    expected = await _one_by_one(database, pool, method, outcome.run.id)
    assert stored == expected
    # the escrow paths were taken: after the mid-month opt-out and revocation, money was held
    held = {(k.recording_id, k.right) for k in expected if k.party_id == ESCROW_PARTY_ID}
    assert ("rec-paper-satellites", RightType.MASTER) in held
    assert ("rec-golden-hour", RightType.LIKENESS) in held
    assert sum(stored.values()) == pool
