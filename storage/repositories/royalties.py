"""The royalty repository in SQL: play counts, catalog facts and the append-only ledger.

It implements ``core.royalties.ports.RoyaltyRepository``; the use case
(``core.royalties.runs``) decides, this module counts, sums and appends.
The heavy lifting is SQL: plays are counted per clip, territory, usage type
and origin kind by streaming a covering index (no sort, never ten million
rows through Python), and only those counts are joined to the clips and
summed per clip class (``_SqlPeriod.usage_counts``). Every table is
append-only: a correction is a reversal posting.

Everything a run writes happens in one ``period_lock`` transaction, and runs
of one period are serialized: SQLite has one writer anyway, PostgreSQL locks
the period's ``royalty_period`` row (``SELECT … FOR UPDATE``).
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    false,
    func,
    insert,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.model import Origin, Party, RightType, SubjectKind, UsageType
from core.royalties import (
    ESCROW_RECORDING,
    ESCROW_VOICE,
    ESCROW_WORK,
    PARTY_ACCOUNT,
    BasisLine,
    CatalogFacts,
    CatalogRows,
    HourActivity,
    Leg,
    LicenseRef,
    PendingPlay,
    Period,
    PeriodTransaction,
    PeriodView,
    PlayDecision,
    PlayFacts,
    PoolBasis,
    Posting,
    PostingKind,
    Reason,
    RecordingInfo,
    RecordingRef,
    RunInfo,
    RunInputs,
    Suspect,
    Templates,
    Usage,
    UsageBook,
    UsageRow,
    VoiceRef,
)
from storage.repositories.catalog_rows import opt_of, party_of, share_of
from storage.schema import (
    AllocationRunRow,
    AllocationUsageRow,
    ClipRow,
    FraudFlagRow,
    LedgerEntryRow,
    LedgerPostingRow,
    LicenseVersionRow,
    OptDeclarationRow,
    PartyRow,
    PeriodCloseRow,
    PlayEventRow,
    PlayQualificationRow,
    RecordingRow,
    RoyaltyPeriodRow,
    RunPoolBasisRow,
    RunReversalRow,
    ShareRow,
    VoiceModelRow,
    WorkRow,
    metadata,
)
from storage.sessions import Sessions, in_chunks
from storage.terms_codec import decode_terms

PE = PlayEventRow
PQ = PlayQualificationRow
ROWS_PER_INSERT = 5_000


def _insert_for(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _run_info(row: AllocationRunRow, why: str | None = None) -> RunInfo:
    return RunInfo(
        row.id,
        row.period,
        row.method,
        row.artist_centric,
        row.pool_micros,
        row.currency,
        row.rules_version,
        row.events,
        row.qualified,
        row.created_at,
        why,
    )


class SqlRoyaltyRepository:
    """``RoyaltyRepository`` on SQL: one transaction per ``reading`` or ``period_lock`` block."""

    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    @asynccontextmanager
    async def reading(self, period: Period) -> AsyncIterator[PeriodView]:
        async with self._db.read() as session:
            yield _SqlPeriod(session, str(period))

    @asynccontextmanager
    async def period_lock(self, period: Period) -> AsyncIterator[PeriodTransaction]:
        name = str(period)
        async with self._db.write() as session:
            insert_ = _insert_for(session)
            await session.execute(insert_(RoyaltyPeriodRow).values(period=name).on_conflict_do_nothing())
            if session.get_bind().dialect.name == "postgresql":
                await session.execute(
                    select(RoyaltyPeriodRow.period).where(RoyaltyPeriodRow.period == name).with_for_update()
                )
            yield _SqlPeriod(session, name)

    async def find_run(self, run_id: str) -> RunInfo | None:
        async with self._db.read() as session:
            found = (await session.execute(
                select(AllocationRunRow, RunReversalRow.why)
                .outerjoin(RunReversalRow, RunReversalRow.run_id == AllocationRunRow.id)
                .where(AllocationRunRow.id == run_id)
            )).first()
            return None if found is None else _run_info(*found)


class _SqlPeriod:
    """One period's rows, in the session of one transaction (``PeriodTransaction``)."""

    def __init__(self, session: AsyncSession, period: str) -> None:
        self._session = session
        self._period = period

    async def _insert_rows(self, table: str, rows: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(rows), ROWS_PER_INSERT):
            await self._session.execute(insert(metadata.tables[table]), rows[start : start + ROWS_PER_INSERT])

    # -- runs ------------------------------------------------------------------------------
    async def is_closed(self) -> bool:
        return await self._session.get(PeriodCloseRow, self._period) is not None

    async def active_run(self) -> RunInfo | None:
        row = (
            await self._session.scalars(
                select(AllocationRunRow)
                .outerjoin(RunReversalRow, RunReversalRow.run_id == AllocationRunRow.id)
                .where(AllocationRunRow.period == self._period, RunReversalRow.run_id.is_(None))
                .order_by(AllocationRunRow.attempt.desc(), AllocationRunRow.created_at.desc())
                .limit(1)
            )
        ).first()
        return None if row is None else _run_info(row)

    async def runs(self) -> list[RunInfo]:
        rows = await self._session.execute(
            select(AllocationRunRow, RunReversalRow.why)
            .outerjoin(RunReversalRow, RunReversalRow.run_id == AllocationRunRow.id)
            .where(AllocationRunRow.period == self._period)
            .order_by(AllocationRunRow.attempt, AllocationRunRow.created_at)
        )
        return [_run_info(run, why) for run, why in rows.all()]

    async def reversed_runs(self) -> int:
        return int(
            await self._session.scalar(
                select(func.count())
                .select_from(RunReversalRow)
                .join(AllocationRunRow, AllocationRunRow.id == RunReversalRow.run_id)
                .where(AllocationRunRow.period == self._period)
            )
            or 0
        )

    async def is_reversed(self, run_id: str) -> bool:
        return await self._session.get(RunReversalRow, run_id) is not None

    async def event_count(self) -> int:
        return int(await self._session.scalar(
            select(func.count()).select_from(PE).where(PE.period == self._period)) or 0)

    async def add_run(self, run: RunInfo, inputs: RunInputs) -> None:
        self._session.add(AllocationRunRow(
            id=run.id, period=run.period, method=run.method, artist_centric=run.artist_centric,
            pool_micros=run.pool_micros, currency=run.currency, rules_version=run.rules_version,
            attempt=inputs.attempt, events=run.events, qualified=run.qualified,
            inputs=inputs.canonical(), created_at=run.created_at,
        ))
        await self._session.flush()

    async def close(self, run_id: str, at: datetime) -> None:
        self._session.add(PeriodCloseRow(period=self._period, run_id=run_id, closed_at=at))

    # -- qualification ---------------------------------------------------------------------
    async def anything_pending(self) -> bool:
        """Cheap check (two index counts)."""
        session = self._session
        events = await session.scalar(select(func.count()).select_from(PE).where(PE.period == self._period))
        decided = await session.scalar(select(func.count()).select_from(PQ).where(PQ.period == self._period))
        return int(events or 0) > int(decided or 0)

    async def flagged(self) -> set[str]:
        flagged = await self._session.scalars(
            select(FraudFlagRow.listener_key).where(FraudFlagRow.period == self._period)
        )
        return set(flagged.all())

    async def suspects(self) -> list[Suspect]:
        rows = await self._session.scalars(
            select(FraudFlagRow).where(FraudFlagRow.period == self._period)
            .order_by(FraudFlagRow.listener_key)
        )
        return [Suspect(r.listener_key, r.hour, r.reason) for r in rows.all()]

    async def busy_hours(self, max_ms_per_hour: int, max_clips_per_hour: int) -> list[HourActivity]:
        stream = PE.usage == UsageType.STREAM.value
        ms = func.sum(case((stream, PE.ms_played), else_=0))
        longest = func.max(case((stream, PE.ms_played), else_=0))
        clips = func.count(PE.clip_id.distinct())
        rows = await self._session.execute(
            select(PE.listener_key, PE.play_hour, ms, longest, clips)
            .where(PE.period == self._period)
            .group_by(PE.listener_key, PE.play_hour)
            .having(or_(ms > longest + max_ms_per_hour, clips > max_clips_per_hour))
        )
        return [HourActivity(k, h, int(m), int(x), int(c)) for k, h, m, x, c in rows.all()]

    async def flag(self, suspects: Sequence[Suspect], at: datetime) -> None:
        insert_ = _insert_for(self._session)
        await self._session.execute(
            insert_(FraudFlagRow).on_conflict_do_nothing(),
            [
                {"period": self._period, "listener_key": s.listener_key, "hour": s.hour,
                 "reason": s.reason, "flagged_at": at}
                for s in suspects
            ],
        )

    async def qualification_counts(self) -> dict[str, int]:
        rows = await self._session.execute(
            select(PQ.reason, func.count()).where(PQ.period == self._period).group_by(PQ.reason)
        )
        return {reason: int(n) for reason, n in rows.all()}

    async def pending_listeners(self) -> list[tuple[str, int]]:
        rows = await self._session.execute(
            select(PE.listener_key, func.count())
            .outerjoin(PQ, PQ.event_id == PE.event_id)
            .where(PE.period == self._period, PQ.event_id.is_(None))
            .group_by(PE.listener_key)
            .order_by(PE.listener_key)
        )
        return [(listener, int(count)) for listener, count in rows.all()]

    async def pending_plays(self, low: str, high: str) -> list[PendingPlay]:
        rows = await self._session.execute(
            select(
                PE.event_id, PE.clip_id, PE.usage, PE.listener_key, PE.ms_played, PE.played_at,
                ClipRow.duration_s, PE.origin, PE.territory,
            )
            .join(ClipRow, ClipRow.id == PE.clip_id)
            .outerjoin(PQ, PQ.event_id == PE.event_id)
            .where(PE.period == self._period, PQ.event_id.is_(None),
                   PE.listener_key >= low, PE.listener_key <= high)
        )
        return [
            PendingPlay(PlayFacts(event_id, clip, UsageType(usage), listener, ms, played_at,
                                  round(duration * 1000)), Origin(origin), territory)
            for event_id, clip, usage, listener, ms, played_at, duration, origin, territory in rows.all()
        ]

    async def prior_plays(self, low: str, high: str) -> list[PlayFacts]:
        rows = await self._session.execute(
            select(PQ.event_id, PQ.clip_id, PQ.usage, PQ.listener_key, PQ.played_at).where(
                PQ.period == self._period,
                PQ.qualified.is_(True),
                PQ.listener_key >= low,
                PQ.listener_key <= high,
            )
        )
        return [PlayFacts(e, c, UsageType(u), k, 0, t, 0) for e, c, u, k, t in rows.all()]

    async def store_decisions(self, decisions: Sequence[PlayDecision]) -> None:
        rows = [
            {
                "event_id": d.facts.event_id,
                "period": d.period,
                "qualified": d.reason is Reason.QUALIFIED,
                "reason": d.reason.value,
                "rules_version": d.rules_version,
                "decided_at": d.decided_at,
                "clip_id": d.facts.clip_id,
                "listener_key": d.facts.listener_key,
                "usage": d.facts.usage.value,
                "active": d.active,
                "territory": d.territory,
                "played_at": d.facts.played_at,
                "play_day": d.play_day,
                "played_period": d.played_period,
            }
            for d in decisions
        ]
        await self._insert_rows("play_qualification", rows)

    # -- catalog facts ---------------------------------------------------------------------
    async def catalog(self) -> CatalogRows:
        session = self._session
        shares = [share_of(r) for r in (await session.scalars(select(ShareRow))).all()]
        recordings = (await session.execute(
            select(RecordingRow.id, RecordingRow.work_id, RecordingRow.artist)
        )).all()
        declarations = (await session.scalars(
            select(OptDeclarationRow).order_by(OptDeclarationRow.id)
        )).all()
        licenses = (await session.execute(
            select(LicenseVersionRow.id, LicenseVersionRow.version, LicenseVersionRow.terms)
        )).all()
        voices = (await session.execute(select(VoiceModelRow.id, VoiceModelRow.revoked_at))).all()
        return CatalogRows(
            shares=shares,
            recordings=[RecordingRef(r, w, a) for r, w, a in recordings],
            declarations=[opt_of(row) for row in declarations],
            licenses=[LicenseRef(i, v, t.get("bucket_templates")) for i, v, t in licenses],
            voices=[VoiceRef(i, r) for i, r in voices],
        )

    # -- usage counts ----------------------------------------------------------------------
    async def usage_counts(self, facts: CatalogFacts, *, by_listener: bool) -> list[UsageRow]:
        """Plays are first counted per clip (``_per_clip_counts``: a ``GROUP BY`` in the
        order of ``ix_play_qualification_allocation``, so the database streams
        the covering index instead of sorting ten million rows), and only those
        few counts are joined to the clips. Clips whose money depends on the
        day (dated shares) are counted per day too; clips with something held
        in escrow (a revoked voice, an opted-out work or recording) depend on
        the time of each play and are counted row by row, but only theirs.
        """
        held = _clip_in(facts.escrow_recordings(), facts.revoked_voices)
        dated = _clip_in(facts.dated_recordings, facts.dated_voices)
        plain: list[ColumnElement[bool]] = [~c for c in (held, dated) if c is not None]
        queries = [self._per_clip_counts(plain, day=False, listener=by_listener)]
        if dated is not None:
            only = and_(dated, ~held) if held is not None else dated
            queries.append(self._per_clip_counts([only], day=True, listener=by_listener))
        if held is not None:
            queries.append(self._held_counts(facts, held, dated, listener=by_listener))
        rows: list[UsageRow] = []
        for query in queries:
            # int(): PostgreSQL sums bigints as numeric
            found = (await self._session.execute(query)).all()
            rows += [UsageRow._make((*r[:-1], int(r[-1]))) for r in found]
        return rows

    def _per_clip_counts(self, where: list[ColumnElement[bool]], *, day: bool, listener: bool) -> Any:
        """Plays counted per clip (streamed over the covering index), then per clip class."""
        keys: list[Any] = [PQ.clip_id, PQ.territory, PQ.played_period, PQ.usage, PQ.active, PQ.qualified]
        if day:
            keys.append(PQ.play_day)
        if listener:
            keys.append(PQ.listener_key)
        per_clip = select(*keys, func.count().label("plays")).where(PQ.period == self._period)
        if day:  # few clips: look each one up in the index rather than filter them all
            per_clip = per_clip.where(PQ.clip_id.in_(select(ClipRow.id).where(*where)))
        counted = per_clip.group_by(*keys).subquery("per_clip")
        c = counted.c
        outer: list[Any] = [
            ClipRow.recording_id, ClipRow.transformation, ClipRow.voice_model_id, ClipRow.license_id,
            ClipRow.license_version,
            (c.play_day if day else literal(None, PQ.play_day.type)).label("day"),
            c.territory, c.played_period, literal(0).label("escrow"), c.usage, c.active, c.qualified,
            (c.listener_key if listener else literal(None, PQ.listener_key.type)).label("listener"),
        ]
        query = select(*outer, func.sum(c.plays)).select_from(counted).join(
            ClipRow, ClipRow.id == c.clip_id
        )
        if not day:
            query = query.where(*where)
        constant = {8} | ({5} if not day else set()) | ({12} if not listener else set())
        return query.group_by(*(key for n, key in enumerate(outer) if n not in constant))

    def _held_counts(
        self,
        facts: CatalogFacts,
        held: ColumnElement[bool],
        dated: ColumnElement[bool] | None,
        *,
        listener: bool,
    ) -> Any:
        """The plays of clips with something in escrow: each play's time decides what is held."""
        voice_out = and_(VoiceModelRow.revoked_at.is_not(None), PQ.played_at >= VoiceModelRow.revoked_at)
        flags = (
            case((voice_out, ESCROW_VOICE), else_=0)
            + case((_opt_out_condition(facts, SubjectKind.WORK), ESCROW_WORK), else_=0)
            + case((_opt_out_condition(facts, SubjectKind.RECORDING), ESCROW_RECORDING), else_=0)
        ).label("escrow")
        day = (case((dated, PQ.play_day), else_=null()) if dated is not None
               else literal(None, PQ.play_day.type)).label("day")
        keys: list[Any] = [
            ClipRow.recording_id, ClipRow.transformation, ClipRow.voice_model_id,
            ClipRow.license_id, ClipRow.license_version, day, PQ.territory, PQ.played_period,
            flags, PQ.usage, PQ.active, PQ.qualified,
            (PQ.listener_key if listener else literal(None, PQ.listener_key.type)).label("listener"),
        ]
        return (
            select(*keys, func.count().label("plays"))
            .select_from(PQ)
            .join(ClipRow, ClipRow.id == PQ.clip_id)
            .outerjoin(VoiceModelRow, VoiceModelRow.id == ClipRow.voice_model_id)
            .where(PQ.period == self._period, PQ.clip_id.in_(select(ClipRow.id).where(held)))
            .group_by(*keys[:12], *([keys[12]] if listener else []))
        )

    async def license_templates(
        self, versions: Iterable[tuple[str, int]]
    ) -> dict[tuple[str, int], Templates]:
        wanted = set(versions)
        out: dict[tuple[str, int], Templates] = {}
        for ids in in_chunks(i for i, _v in wanted):
            rows = await self._session.scalars(select(LicenseVersionRow).where(LicenseVersionRow.id.in_(ids)))
            for row in rows.all():
                if (row.id, row.version) in wanted:
                    terms = decode_terms(row.terms)
                    out[(row.id, row.version)] = {k: dict(v) for k, v in terms.bucket_templates.items()}
        return out

    async def artist_stats(self) -> list[tuple[str, int, int]]:
        rows = await self._session.execute(
            select(RecordingRow.artist, func.count(), func.count(PQ.listener_key.distinct()))
            .select_from(PQ)
            .join(ClipRow, ClipRow.id == PQ.clip_id)
            .join(RecordingRow, RecordingRow.id == ClipRow.recording_id)
            .where(PQ.period == self._period, PQ.qualified.is_(True))
            .group_by(RecordingRow.artist)
        )
        return [(a, int(p), int(n)) for a, p, n in rows.all()]

    # -- the ledger ------------------------------------------------------------------------
    async def store_posting(self, posting: Posting, at: datetime) -> None:
        self._session.add(
            LedgerPostingRow(
                id=posting.id, run_id=posting.run_id, kind=posting.kind.value, period=posting.period,
                currency=posting.currency, reverses=posting.reverses, memo=posting.memo,
                created_at=at,
            )
        )
        await self._session.flush()
        rows = [
            {
                "posting_id": posting.id,
                "period": posting.period,
                "account": leg.account,
                "party_id": leg.party_id,
                "right": leg.right.value if leg.right else None,
                "recording_id": leg.recording_id,
                "territory": leg.territory,
                "played_period": leg.played_period,
                "amount_micros": leg.amount,
            }
            for leg in posting.legs
        ]
        await self._insert_rows("ledger_entry", rows)

    async def store_usage(self, run_id: str, usage: UsageBook) -> None:
        rows = [
            {"run_id": run_id, "recording_id": recording, "territory": territory,
             "played_period": played, "plays": counted.plays, "qualified": counted.qualified}
            for (recording, territory, played), counted in sorted(usage.items())
        ]
        await self._insert_rows("allocation_usage", rows)

    async def store_basis(self, run_id: str, basis: PoolBasis) -> None:
        lines = [dataclasses.asdict(line) for line in basis.lines]
        self._session.add(RunPoolBasisRow(
            run_id=run_id, period=basis.period, currency=basis.currency, net_micros=basis.net,
            share=basis.share, pool_micros=basis.pool,
            lines=json.dumps(lines, sort_keys=True, separators=(",", ":")),
        ))
        await self._session.flush()

    async def _posting(self, posting_id: str) -> Posting:
        row = await self._session.get(LedgerPostingRow, posting_id)
        assert row is not None
        entries = (
            await self._session.scalars(
                select(LedgerEntryRow).where(LedgerEntryRow.posting_id == posting_id)
                .order_by(LedgerEntryRow.id)
            )
        ).all()
        return Posting(
            row.id, row.run_id, PostingKind(row.kind), row.period, row.currency,
            tuple(_leg_of(e) for e in entries), row.reverses, row.memo,
        )

    async def allocation_posting(self, run_id: str) -> Posting:
        posting_id = await self._session.scalar(
            select(LedgerPostingRow.id).where(
                LedgerPostingRow.run_id == run_id,
                LedgerPostingRow.kind == PostingKind.ALLOCATION.value,
            )
        )
        assert posting_id is not None
        return await self._posting(posting_id)

    async def store_reversal(self, run_id: str, reversal: Posting, why: str, at: datetime) -> None:
        await self.store_posting(reversal, at)
        self._session.add(RunReversalRow(run_id=run_id, posting_id=reversal.id, why=why, at=at))
        await self._session.flush()

    async def postings(self) -> list[Posting]:
        ids = (await self._session.scalars(
            select(LedgerPostingRow.id).where(LedgerPostingRow.period == self._period)
            .order_by(LedgerPostingRow.created_at, LedgerPostingRow.id)
        )).all()
        return [await self._posting(i) for i in ids]

    async def account_totals(self) -> list[tuple[str, str | None, int]]:
        rows = await self._session.execute(
            select(LedgerEntryRow.account, LedgerEntryRow.party_id,
                   func.sum(LedgerEntryRow.amount_micros))
            .where(LedgerEntryRow.period == self._period)
            .group_by(LedgerEntryRow.account, LedgerEntryRow.party_id)
        )
        return [(account, party, int(amount)) for account, party, amount in rows.all()]

    async def parties(self) -> list[str]:
        rows = await self._session.scalars(
            select(LedgerEntryRow.party_id.distinct())
            .where(LedgerEntryRow.period == self._period, LedgerEntryRow.account == PARTY_ACCOUNT)
            .order_by(LedgerEntryRow.party_id)
        )
        return [p for p in rows.all() if p is not None]

    async def party_legs(self, party_id: str) -> list[Leg]:
        entries = (await self._session.scalars(
            select(LedgerEntryRow).where(
                LedgerEntryRow.period == self._period,
                LedgerEntryRow.party_id == party_id,
                LedgerEntryRow.account == PARTY_ACCOUNT,
            ).order_by(LedgerEntryRow.id)
        )).all()
        return [_leg_of(e) for e in entries]

    # -- who and what ----------------------------------------------------------------------
    async def party(self, party_id: str) -> Party | None:
        row = await self._session.get(PartyRow, party_id)
        return None if row is None else party_of(row)

    async def party_names(self, party_ids: Iterable[str]) -> dict[str, str]:
        names: dict[str, str] = {}
        for ids in in_chunks(party_ids):
            rows = await self._session.execute(select(PartyRow.id, PartyRow.name).where(PartyRow.id.in_(ids)))
            names.update({i: n for i, n in rows.all()})
        return names

    async def run_usage(self, run_id: str) -> UsageBook:
        rows = await self._session.scalars(
            select(AllocationUsageRow).where(AllocationUsageRow.run_id == run_id)
        )
        return {(u.recording_id, u.territory, u.played_period): Usage(u.plays, u.qualified)
                for u in rows.all()}

    async def run_basis(self, run_id: str) -> PoolBasis | None:
        row = await self._session.get(RunPoolBasisRow, run_id)
        if row is None:
            return None
        lines = tuple(BasisLine(**line) for line in json.loads(row.lines))
        return PoolBasis(row.period, row.currency, lines, row.net_micros, row.share, row.pool_micros)

    async def recordings(self, recording_ids: Iterable[str]) -> dict[str, RecordingInfo]:
        out: dict[str, RecordingInfo] = {}
        for ids in in_chunks(recording_ids):
            rows = await self._session.execute(
                select(RecordingRow.id, RecordingRow.isrc, WorkRow.iswc, RecordingRow.title,
                       RecordingRow.artist)
                .join(WorkRow, WorkRow.id == RecordingRow.work_id)
                .where(RecordingRow.id.in_(ids))
            )
            for rid, isrc, iswc, title, artist in rows.all():
                out[rid] = RecordingInfo(rid, isrc, iswc, title, artist)
        return out


def _opt_out_condition(facts: CatalogFacts, kind: SubjectKind) -> ColumnElement[bool]:
    """SQL: the play falls inside an opt-out of its clip's work (or recording)."""
    recordings_of: dict[str, list[str]] = defaultdict(list)
    for recording, work in facts.work_of.items():
        recordings_of[work].append(recording)
    clauses = []
    for (subject_kind, subject), spans in facts.opt_outs.items():
        if subject_kind is not kind:
            continue
        ids = recordings_of.get(subject, []) if kind is SubjectKind.WORK else [subject]
        if not ids:
            continue
        for start, end in spans:
            parts: list[ColumnElement[bool]] = [ClipRow.recording_id.in_(ids)]
            if start is not None:
                parts.append(PQ.played_at >= start)
            if end is not None:
                parts.append(PQ.played_at < end)
            clauses.append(and_(*parts))
    return or_(*clauses) if clauses else false()


def _clip_in(recordings: set[str], voices: set[str]) -> ColumnElement[bool] | None:
    """SQL: the clip is of one of ``recordings`` or uses one of ``voices`` (None: no such clip)."""
    clauses: list[ColumnElement[bool]] = []
    if recordings:
        clauses.append(ClipRow.recording_id.in_(sorted(recordings)))
    if voices:
        clauses.append(and_(ClipRow.voice_model_id.is_not(None),
                            ClipRow.voice_model_id.in_(sorted(voices))))
    return or_(*clauses) if clauses else None


def _leg_of(row: LedgerEntryRow) -> Leg:
    return Leg(
        row.account,
        row.amount_micros,
        row.party_id,
        RightType(row.right) if row.right else None,
        row.recording_id,
        row.territory,
        row.played_period,
    )


__all__ = ["SqlRoyaltyRepository"]
