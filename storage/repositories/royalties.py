"""Qualification, allocation runs, the double-entry ledger and what is read from it.

The heavy lifting is SQL: plays are counted per clip, territory, usage type
and origin kind by streaming a covering index (no sort, never ten million
rows through Python), and only those counts are joined to the clips and
summed per clip class (``_usage_rows``); the pure functions of
``core.royalties`` then turn them into exact legs. A run, its
posting, its legs and its usage summary are stored in one transaction, and
every table is append-only: a correction is a reversal posting.

Runs of one period are serialized: SQLite has one writer anyway, PostgreSQL
locks the period's ``royalty_period`` row (``SELECT … FOR UPDATE``).
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any, NamedTuple

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

from core.ids import new_id
from core.model import (
    SYSTEM_PARTIES,
    OptDeclaration,
    RightType,
    Share,
    SubjectKind,
    Transformation,
    UsageType,
)
from core.royalties.allocation import (
    NO_ESCROW,
    ClipClass,
    Escrow,
    GroupKey,
    Method,
    UsageCount,
    allocate,
    boosted_artists,
    group_weights,
)
from core.royalties.escrow import opt_out_intervals
from core.royalties.fraud import HourActivity, Suspect, find_suspects
from core.royalties.ledger import (
    PARTY_ACCOUNT,
    POOL_ACCOUNT,
    Leg,
    Posting,
    PostingKind,
    allocation_posting,
    reversal_of,
)
from core.royalties.periods import Period
from core.royalties.qualification import PlayFacts, Reason, qualify
from core.royalties.rules import RuleSet
from core.royalties.run_id import RunInputs, digest
from core.royalties.statements import RecordingInfo, Statement, Usage, build_statement
from core.royalties.types import (
    PeriodSummary,
    QualifySummary,
    RoyaltyError,
    RunInfo,
    RunOutcome,
    RunRequest,
)
from storage.repositories.catalog_rows import opt_of, share_of
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
    RunReversalRow,
    ShareRow,
    VoiceModelRow,
    WorkRow,
    metadata,
)
from storage.sessions import Sessions
from storage.terms_codec import decode_terms

PE = PlayEventRow
PQ = PlayQualificationRow
CHUNK_EVENTS = 50_000  # events qualified per round trip (listener by listener)
SYSTEM_NAMES = {party_id: party.name for party_id, party in SYSTEM_PARTIES.items()}


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


@dataclass
class _Catalog:
    """The catalog facts a run needs, read once."""

    book: dict[tuple[SubjectKind, str], list[Share]]
    work_of: dict[str, str]
    artist_of: dict[str, str]
    opt_outs: dict[tuple[SubjectKind, str], list[tuple[datetime | None, datetime | None]]]
    dated_recordings: set[str]
    dated_voices: set[str]
    revoked_voices: set[str]
    digest: str

    def escrow_recordings(self) -> set[str]:
        """Recordings with an opt-out (of themselves or of their work) at some time."""
        out = {sid for kind, sid in self.opt_outs if kind is SubjectKind.RECORDING}
        works = {sid for kind, sid in self.opt_outs if kind is SubjectKind.WORK}
        return out | {r for r, w in self.work_of.items() if w in works}


class SqlRoyaltyStore:
    """Plays → qualification → runs → ledger → statements, on SQL."""

    def __init__(self, sessions: Sessions, rules: RuleSet) -> None:
        self._db = sessions
        self.rules = rules

    # -- periods ---------------------------------------------------------------------------
    async def _lock_period(self, session: AsyncSession, period: str) -> None:
        insert_ = _insert_for(session)
        await session.execute(insert_(RoyaltyPeriodRow).values(period=period).on_conflict_do_nothing())
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(
                select(RoyaltyPeriodRow.period).where(RoyaltyPeriodRow.period == period).with_for_update()
            )

    async def _closed(self, session: AsyncSession, period: str) -> bool:
        return await session.get(PeriodCloseRow, period) is not None

    # -- qualification ---------------------------------------------------------------------
    async def qualify(self, period: Period, at: datetime) -> QualifySummary:
        """Decide every event of the period that has no decision yet (fraud flags first)."""
        name = str(period)
        decided: Counter[str] = Counter()
        async with self._db.write() as session:
            await self._lock_period(session, name)
            if not await self._anything_pending(session, name):
                return QualifySummary(decided, len(await self._flagged(session, name)))
            suspects = await self._flag_fraud(session, name, at)
            for low, high in await self._pending_listener_ranges(session, name):
                decisions, facts = await self._qualify_range(session, name, low, high, suspects)
                await self._store_decisions(session, name, decisions, facts, at)
                decided.update(d.reason.value for d in decisions)
        return QualifySummary(decided, len(suspects))

    async def _anything_pending(self, session: AsyncSession, period: str) -> bool:
        """Cheap check (two index counts): does any event of the period lack its decision?"""
        events = await session.scalar(select(func.count()).select_from(PE).where(PE.period == period))
        decided = await session.scalar(select(func.count()).select_from(PQ).where(PQ.period == period))
        return int(events or 0) > int(decided or 0)

    async def _flagged(self, session: AsyncSession, period: str) -> set[str]:
        flagged = await session.scalars(
            select(FraudFlagRow.listener_key).where(FraudFlagRow.period == period)
        )
        return set(flagged.all())

    async def _flag_fraud(self, session: AsyncSession, period: str, at: datetime) -> set[str]:
        stream = PE.usage == UsageType.STREAM.value
        ms = func.sum(case((stream, PE.ms_played), else_=0))
        longest = func.max(case((stream, PE.ms_played), else_=0))
        clips = func.count(PE.clip_id.distinct())
        rows = await session.execute(
            select(PE.listener_key, PE.play_hour, ms, longest, clips)
            .where(PE.period == period)
            .group_by(PE.listener_key, PE.play_hour)
            .having(
                or_(
                    ms > longest + self.rules.fraud_max_ms_per_hour,
                    clips > self.rules.fraud_max_clips_per_hour,
                )
            )
        )
        activity = [HourActivity(k, h, int(m), int(x), int(c)) for k, h, m, x, c in rows.all()]
        found = find_suspects(activity, self.rules)
        if found:
            insert_ = _insert_for(session)
            await session.execute(
                insert_(FraudFlagRow).on_conflict_do_nothing(),
                [
                    {"period": period, "listener_key": s.listener_key, "hour": s.hour,
                     "reason": s.reason, "flagged_at": at}
                    for s in found
                ],
            )
        return await self._flagged(session, period)

    async def _pending_listener_ranges(
        self, session: AsyncSession, period: str
    ) -> list[tuple[str, str]]:
        """Listener key ranges holding about CHUNK_EVENTS undecided events each."""
        rows = await session.execute(
            select(PE.listener_key, func.count())
            .outerjoin(PQ, PQ.event_id == PE.event_id)
            .where(PE.period == period, PQ.event_id.is_(None))
            .group_by(PE.listener_key)
            .order_by(PE.listener_key)
        )
        ranges: list[tuple[str, str]] = []
        low: str | None = None
        size = 0
        last = ""
        for listener, count in rows.all():
            if low is None:
                low = listener
            size += int(count)
            last = listener
            if size >= CHUNK_EVENTS:
                ranges.append((low, listener))
                low, size = None, 0
        if low is not None:
            ranges.append((low, last))
        return ranges

    async def _qualify_range(
        self, session: AsyncSession, period: str, low: str, high: str, suspects: set[str]
    ) -> tuple[list[Any], dict[str, tuple[PlayFacts, str, str]]]:
        in_range = and_(PE.listener_key >= low, PE.listener_key <= high)
        rows = await session.execute(
            select(
                PE.event_id, PE.clip_id, PE.usage, PE.listener_key, PE.ms_played, PE.played_at,
                ClipRow.duration_s, PE.origin, PE.territory,
            )
            .join(ClipRow, ClipRow.id == PE.clip_id)
            .outerjoin(PQ, PQ.event_id == PE.event_id)
            .where(PE.period == period, PQ.event_id.is_(None), in_range)
        )
        facts: dict[str, tuple[PlayFacts, str, str]] = {}
        for event_id, clip, usage, listener, ms, played_at, duration, origin, territory in rows.all():
            play = PlayFacts(event_id, clip, UsageType(usage), listener, ms, played_at,
                             round(duration * 1000))
            facts[event_id] = (play, origin, territory)
        prior_rows = await session.execute(
            select(PQ.event_id, PQ.clip_id, PQ.usage, PQ.listener_key, PQ.played_at).where(
                PQ.period == period,
                PQ.qualified.is_(True),
                PQ.listener_key >= low,
                PQ.listener_key <= high,
            )
        )
        prior = [
            PlayFacts(e, c, UsageType(u), k, 0, t, 0) for e, c, u, k, t in prior_rows.all()
        ]
        decisions = qualify(
            (f[0] for f in facts.values()), rules=self.rules, suspects=suspects, prior=prior
        )
        return decisions, facts

    async def _store_decisions(
        self,
        session: AsyncSession,
        period: str,
        decisions: Sequence[Any],
        facts: dict[str, tuple[PlayFacts, str, str]],
        at: datetime,
    ) -> None:
        active = {o.value for o in self.rules.active_origins}
        rows = []
        for decision in decisions:
            play, origin, territory = facts[decision.event_id]
            rows.append(
                {
                    "event_id": play.event_id,
                    "period": period,
                    "qualified": decision.reason is Reason.QUALIFIED,
                    "reason": decision.reason.value,
                    "rules_version": self.rules.version,
                    "decided_at": at,
                    "clip_id": play.clip_id,
                    "listener_key": play.listener_key,
                    "usage": play.usage.value,
                    "active": origin in active,
                    "territory": territory,
                    "played_at": play.played_at,
                    "play_day": play.day,
                    "played_period": str(Period.of(play.played_at)),
                }
            )
        for start in range(0, len(rows), 5_000):
            await session.execute(insert(metadata.tables["play_qualification"]), rows[start : start + 5_000])

    # -- catalog facts ---------------------------------------------------------------------
    async def _catalog(self, session: AsyncSession, period: Period) -> _Catalog:
        shares = [share_of(r) for r in (await session.scalars(select(ShareRow))).all()]
        book: dict[tuple[SubjectKind, str], list[Share]] = defaultdict(list)
        for share in shares:
            book[(share.subject_kind, share.subject_id)].append(share)
        recordings = (await session.execute(
            select(RecordingRow.id, RecordingRow.work_id, RecordingRow.artist)
        )).all()
        work_of = {r: w for r, w, _a in recordings}
        artist_of = {r: a for r, _w, a in recordings}
        declarations: dict[tuple[SubjectKind, str], list[OptDeclaration]] = defaultdict(list)
        for row in (await session.scalars(select(OptDeclarationRow).order_by(OptDeclarationRow.id))).all():
            declaration = opt_of(row)
            declarations[(declaration.subject_kind, declaration.subject_id)].append(declaration)
        opt_outs = {k: opt_out_intervals(v) for k, v in declarations.items()}
        opt_outs = {k: v for k, v in opt_outs.items() if v}
        dated = {
            (s.subject_kind, s.subject_id) for s in shares
            if s.valid_from is not None or s.valid_to is not None
        }
        dated_recordings = {
            r for r, w in work_of.items()
            if (SubjectKind.RECORDING, r) in dated or (SubjectKind.WORK, w) in dated
        }
        dated_voices = {sid for kind, sid in dated if kind is SubjectKind.VOICE_MODEL}
        licenses = (await session.execute(
            select(LicenseVersionRow.id, LicenseVersionRow.version, LicenseVersionRow.terms)
        )).all()
        voices = (await session.execute(select(VoiceModelRow.id, VoiceModelRow.revoked_at))).all()
        fingerprint = digest(
            {
                "shares": sorted(
                    [s.subject_kind.value, s.subject_id, s.party_id, s.right.value, str(s.fraction),
                     s.territory, str(s.valid_from), str(s.valid_to)]
                    for s in shares
                ),
                "licenses": sorted([i, v, t.get("bucket_templates")] for i, v, t in licenses),
                "voices": sorted([i, str(r)] for i, r in voices),
                "opt_outs": sorted([k[0].value, k[1], [[str(a), str(b)] for a, b in v]]
                                   for k, v in opt_outs.items()),
                "recordings": sorted([r, w, a] for r, w, a in recordings),
            }
        )
        revoked = {i for i, r in voices if r is not None}
        return _Catalog(dict(book), work_of, artist_of, opt_outs, dated_recordings, dated_voices,
                        revoked, fingerprint)

    def _opt_out_condition(self, catalog: _Catalog, kind: SubjectKind) -> ColumnElement[bool]:
        """SQL: the play falls inside an opt-out of its clip's work (or recording)."""
        recordings_of: dict[str, list[str]] = defaultdict(list)
        for recording, work in catalog.work_of.items():
            recordings_of[work].append(recording)
        clauses = []
        for (subject_kind, subject), spans in catalog.opt_outs.items():
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

    # -- runs ------------------------------------------------------------------------------
    async def run(self, request: RunRequest, at: datetime) -> RunOutcome:
        """Qualify the period's new events, then allocate its pool (or recognise a rerun)."""
        name = str(request.period)
        async with self._db.read() as session:
            if await self._closed(session, name):
                raise RoyaltyError(f"period {name} is closed; its runs can no longer change")
        await self.qualify(request.period, at)
        async with self._db.write() as session:
            await self._lock_period(session, name)
            if await self._closed(session, name):
                raise RoyaltyError(f"period {name} is closed; its runs can no longer change")
            active = await self._active_run(session, name)
            attempt = await self._reversed_runs(session, name)
            catalog = await self._catalog(session, request.period)
            # the decided events are the run's event set: their counts come with the aggregation,
            # and an event that arrives after qualification is left to a rerun (close() says so)
            rows = await self._usage_rows(session, request, catalog)
            events = sum(row.plays for row in rows)
            qualified = sum(row.plays for row in rows if row.qualified)
            inputs = RunInputs(
                period=name,
                pool_micros=request.pool_micros,
                currency=request.currency,
                method=request.method.value,
                artist_centric=request.artist_centric,
                rules_version=self.rules.version,
                rules_digest=self.rules.digest(),
                events=events,
                qualified=qualified,
                catalog_digest=catalog.digest,
                attempt=attempt,
            )
            replaced = None
            if active is not None:
                if active.id == inputs.run_id():
                    return RunOutcome(_run_info(active), created=False)
                if not request.replace:
                    raise RoyaltyError(
                        f"period {name} already has run {active.id} (created "
                        f"{active.created_at:%Y-%m-%d %H:%M} UTC); reverse it first "
                        f"(`refrain royalties reverse {active.id} --why …`) or rerun with --replace"
                    )
                await self._reverse(session, active, "replaced by a new run", at)
                replaced = active.id
                inputs = dataclasses.replace(inputs, attempt=attempt + 1)
            run_id = inputs.run_id()
            row = AllocationRunRow(
                id=run_id, period=name, method=request.method.value,
                artist_centric=request.artist_centric, pool_micros=request.pool_micros,
                currency=request.currency, rules_version=self.rules.version, attempt=inputs.attempt,
                events=events, qualified=qualified, inputs=inputs.canonical(), created_at=at,
            )
            session.add(row)
            await session.flush()
            # ties are broken by the inputs without the attempt number, so a corrected rerun of
            # unchanged data rounds exactly like the run it replaces
            seed = dataclasses.replace(inputs, attempt=0).run_id()
            legs = await self._allocate(session, request, catalog, rows, seed)
            posting = allocation_posting(new_id(), run_id, name, request.currency,
                                         request.pool_micros, legs)
            await self._store_posting(session, posting, at)
            await self._store_usage(session, run_id, _seen(rows))
            return RunOutcome(_run_info(row), created=True, replaced=replaced,
                              legs=len(posting.legs) - 1)

    async def _usage_rows(
        self, session: AsyncSession, request: RunRequest, catalog: _Catalog
    ) -> list[_UsageRow]:
        """Every decided play of the period, counted per clip class, territory, usage… in SQL.

        Plays are first counted per clip (``_per_clip``: a ``GROUP BY`` in the
        order of ``ix_play_qualification_allocation``, so the database streams
        the covering index instead of sorting ten million rows), and only those
        few counts are joined to the clips. Clips whose money depends on the
        day (dated shares) are counted per day too; clips with something held
        in escrow (a revoked voice, an opted-out work or recording) depend on
        the time of each play and are counted row by row, but only theirs.
        """
        listener = request.method is Method.USER_CENTRIC
        escrow_recordings = catalog.escrow_recordings()
        held = _clip_in(escrow_recordings, catalog.revoked_voices)
        dated = _clip_in(catalog.dated_recordings, catalog.dated_voices)
        plain: list[ColumnElement[bool]] = [~c for c in (held, dated) if c is not None]
        queries = [self._per_clip_counts(request, plain, day=False, listener=listener)]
        if dated is not None:
            only = and_(dated, ~held) if held is not None else dated
            queries.append(self._per_clip_counts(request, [only], day=True, listener=listener))
        if held is not None:
            queries.append(self._held_counts(request, catalog, held, dated, listener=listener))
        rows: list[_UsageRow] = []
        for query in queries:
            # int(): PostgreSQL sums bigints as numeric
            rows += [_UsageRow._make((*r[:-1], int(r[-1]))) for r in (await session.execute(query)).all()]
        return rows

    def _per_clip_counts(
        self, request: RunRequest, where: list[ColumnElement[bool]], *, day: bool, listener: bool
    ) -> Any:
        """Plays counted per clip (streamed over the covering index), then per clip class."""
        keys: list[Any] = [PQ.clip_id, PQ.territory, PQ.played_period, PQ.usage, PQ.active, PQ.qualified]
        if day:
            keys.append(PQ.play_day)
        if listener:
            keys.append(PQ.listener_key)
        per_clip = select(*keys, func.count().label("plays")).where(PQ.period == str(request.period))
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
        request: RunRequest,
        catalog: _Catalog,
        held: ColumnElement[bool],
        dated: ColumnElement[bool] | None,
        *,
        listener: bool,
    ) -> Any:
        """The plays of clips with something in escrow: each play's time decides what is held."""
        voice_out = and_(VoiceModelRow.revoked_at.is_not(None), PQ.played_at >= VoiceModelRow.revoked_at)
        flags = (
            case((voice_out, 1), else_=0)
            + case((self._opt_out_condition(catalog, SubjectKind.WORK), 2), else_=0)
            + case((self._opt_out_condition(catalog, SubjectKind.RECORDING), 4), else_=0)
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
            .where(PQ.period == str(request.period), PQ.clip_id.in_(select(ClipRow.id).where(held)))
            .group_by(*keys[:12], *([keys[12]] if listener else []))
        )

    async def _allocate(
        self,
        session: AsyncSession,
        request: RunRequest,
        catalog: _Catalog,
        rows: list[_UsageRow],
        seed: str,
    ) -> dict[Any, int]:
        qualified = [row for row in rows if row.qualified]
        templates = await self._templates(session, {(r.license_id, r.version) for r in qualified})
        classes: dict[str, ClipClass] = {}
        counts: list[UsageCount] = []
        first_days: dict[str, date] = {}
        for row in qualified:
            recording, voice = row.recording_id, row.voice_model_id
            class_id = f"{recording}|{row.kind}|{voice or ''}|{row.license_id}|{row.version}"
            if class_id not in classes:
                transformation = Transformation(row.kind)
                buckets = self.rules.buckets_for(transformation, templates[(row.license_id, row.version)])
                classes[class_id] = ClipClass(
                    class_id, recording, catalog.work_of[recording], transformation, voice,
                    tuple(sorted(buckets.items(), key=lambda b: b[0].value)),
                    catalog.artist_of.get(recording, ""),
                )
            played = row.played_period
            if row.day is None and played not in first_days:
                first_days[played] = Period.parse(played).first_day
            escrow = row.escrow
            group = GroupKey(
                class_id,
                row.day or first_days[played],
                row.territory,
                played,
                Escrow(bool(escrow & 1), bool(escrow & 2), bool(escrow & 4)) if escrow else NO_ESCROW,
            )
            counts.append(
                UsageCount(group, UsageType(row.usage), bool(row.active), int(row.plays), row.listener)
            )
        boosted: frozenset[str] = frozenset()
        if request.artist_centric:
            boosted = boosted_artists(await self._artist_stats(session, str(request.period)), self.rules)
        weights = group_weights(counts, method=request.method, rules=self.rules, classes=classes,
                                artist_centric=request.artist_centric, boosted=boosted)
        return allocate(request.pool_micros, weights, classes=classes, book=catalog.book, seed=seed)

    async def _templates(
        self, session: AsyncSession, versions: Iterable[tuple[str, int]]
    ) -> dict[tuple[str, int], dict[Transformation, dict[RightType, Fraction]]]:
        wanted = set(versions)
        out: dict[tuple[str, int], dict[Transformation, dict[RightType, Fraction]]] = {}
        ids = sorted({i for i, _v in wanted})
        for start in range(0, len(ids), 500):
            rows = await session.scalars(
                select(LicenseVersionRow).where(LicenseVersionRow.id.in_(ids[start : start + 500]))
            )
            for row in rows.all():
                if (row.id, row.version) in wanted:
                    terms = decode_terms(row.terms)
                    out[(row.id, row.version)] = {
                        k: dict(v) for k, v in terms.bucket_templates.items()
                    }
        return out

    async def _artist_stats(self, session: AsyncSession, period: str) -> list[tuple[str, int, int]]:
        rows = await session.execute(
            select(RecordingRow.artist, func.count(), func.count(PQ.listener_key.distinct()))
            .select_from(PQ)
            .join(ClipRow, ClipRow.id == PQ.clip_id)
            .join(RecordingRow, RecordingRow.id == ClipRow.recording_id)
            .where(PQ.period == period, PQ.qualified.is_(True))
            .group_by(RecordingRow.artist)
        )
        return [(a, int(p), int(n)) for a, p, n in rows.all()]

    async def _store_posting(self, session: AsyncSession, posting: Posting, at: datetime) -> None:
        session.add(
            LedgerPostingRow(
                id=posting.id, run_id=posting.run_id, kind=posting.kind.value, period=posting.period,
                currency=posting.currency, reverses=posting.reverses, memo=posting.memo,
                created_at=at,
            )
        )
        await session.flush()
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
        for start in range(0, len(rows), 5_000):
            await session.execute(insert(metadata.tables["ledger_entry"]), rows[start : start + 5_000])

    async def _store_usage(
        self, session: AsyncSession, run_id: str, usage: dict[tuple[str, str, str], list[int]]
    ) -> None:
        rows = [
            {"run_id": run_id, "recording_id": recording, "territory": territory,
             "played_period": played, "plays": plays, "qualified": qualified}
            for (recording, territory, played), (plays, qualified) in sorted(usage.items())
        ]
        for start in range(0, len(rows), 5_000):
            await session.execute(insert(metadata.tables["allocation_usage"]), rows[start : start + 5_000])

    # -- reversals and closing -------------------------------------------------------------
    async def _active_run(self, session: AsyncSession, period: str) -> AllocationRunRow | None:
        return (
            await session.scalars(
                select(AllocationRunRow)
                .outerjoin(RunReversalRow, RunReversalRow.run_id == AllocationRunRow.id)
                .where(AllocationRunRow.period == period, RunReversalRow.run_id.is_(None))
                .order_by(AllocationRunRow.attempt.desc(), AllocationRunRow.created_at.desc())
                .limit(1)
            )
        ).first()

    async def _reversed_runs(self, session: AsyncSession, period: str) -> int:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(RunReversalRow)
                .join(AllocationRunRow, AllocationRunRow.id == RunReversalRow.run_id)
                .where(AllocationRunRow.period == period)
            )
            or 0
        )

    async def _posting(self, session: AsyncSession, posting_id: str) -> Posting:
        row = await session.get(LedgerPostingRow, posting_id)
        assert row is not None
        entries = (
            await session.scalars(
                select(LedgerEntryRow).where(LedgerEntryRow.posting_id == posting_id)
                .order_by(LedgerEntryRow.id)
            )
        ).all()
        return Posting(
            row.id, row.run_id, PostingKind(row.kind), row.period, row.currency,
            tuple(_leg_of(e) for e in entries), row.reverses, row.memo,
        )

    async def _reverse(
        self, session: AsyncSession, run: AllocationRunRow, why: str, at: datetime
    ) -> str:
        posting_id = await session.scalar(
            select(LedgerPostingRow.id).where(
                LedgerPostingRow.run_id == run.id,
                LedgerPostingRow.kind == PostingKind.ALLOCATION.value,
            )
        )
        assert posting_id is not None
        undo = reversal_of(await self._posting(session, posting_id), new_id(), why)
        await self._store_posting(session, undo, at)
        session.add(RunReversalRow(run_id=run.id, posting_id=undo.id, why=why, at=at))
        await session.flush()
        return undo.id

    async def reverse(self, run_id: str, why: str, at: datetime) -> str:
        """Post the exact opposite of a run; the period can then be run again."""
        if not why.strip():
            raise RoyaltyError("say why the run is reversed (--why …): it stays in the ledger")
        async with self._db.write() as session:
            run = await session.get(AllocationRunRow, run_id)
            if run is None:
                raise RoyaltyError(
                    f"no allocation run {run_id}; `refrain royalties runs --period …` lists them"
                )
            await self._lock_period(session, run.period)
            if await self._closed(session, run.period):
                raise RoyaltyError(f"period {run.period} is closed; its runs can no longer change")
            if await session.get(RunReversalRow, run_id) is not None:
                raise RoyaltyError(f"run {run_id} was already reversed")
            return await self._reverse(session, run, why.strip(), at)

    async def close(self, period: Period, at: datetime) -> RunInfo:
        """Freeze a period on its active run; later usage is posted in the next period."""
        name = str(period)
        async with self._db.write() as session:
            await self._lock_period(session, name)
            if await self._closed(session, name):
                raise RoyaltyError(f"period {name} is already closed")
            run = await self._active_run(session, name)
            if run is None:
                raise RoyaltyError(f"period {name} has no allocation run to close on; run it first")
            events = int(await session.scalar(
                select(func.count()).select_from(PE).where(PE.period == name)) or 0)
            if events != run.events:
                raise RoyaltyError(
                    f"{events - run.events} plays of {name} arrived after run {run.id}; "
                    "rerun with --replace before closing, or they would never be paid"
                )
            session.add(PeriodCloseRow(period=name, run_id=run.id, closed_at=at))
            return _run_info(run)

    # -- reading ---------------------------------------------------------------------------
    async def runs(self, period: Period) -> list[RunInfo]:
        async with self._db.read() as session:
            rows = await session.execute(
                select(AllocationRunRow, RunReversalRow.why)
                .outerjoin(RunReversalRow, RunReversalRow.run_id == AllocationRunRow.id)
                .where(AllocationRunRow.period == str(period))
                .order_by(AllocationRunRow.attempt, AllocationRunRow.created_at)
            )
            return [_run_info(run, why) for run, why in rows.all()]

    async def active_run(self, period: Period) -> RunInfo | None:
        async with self._db.read() as session:
            row = await self._active_run(session, str(period))
            return None if row is None else _run_info(row)

    async def is_closed(self, period: Period) -> bool:
        async with self._db.read() as session:
            return await self._closed(session, str(period))

    async def suspects(self, period: Period) -> list[Suspect]:
        async with self._db.read() as session:
            rows = await session.scalars(
                select(FraudFlagRow).where(FraudFlagRow.period == str(period))
                .order_by(FraudFlagRow.listener_key)
            )
            return [Suspect(r.listener_key, r.hour, r.reason) for r in rows.all()]

    async def qualification_counts(self, period: Period) -> dict[str, int]:
        async with self._db.read() as session:
            rows = await session.execute(
                select(PQ.reason, func.count()).where(PQ.period == str(period)).group_by(PQ.reason)
            )
            return {reason: int(n) for reason, n in rows.all()}

    async def postings(self, period: Period) -> list[Posting]:
        async with self._db.read() as session:
            ids = (await session.scalars(
                select(LedgerPostingRow.id).where(LedgerPostingRow.period == str(period))
                .order_by(LedgerPostingRow.created_at, LedgerPostingRow.id)
            )).all()
            return [await self._posting(session, i) for i in ids]

    async def summary(self, period: Period, currency: str) -> PeriodSummary:
        name = str(period)
        async with self._db.read() as session:
            run = await self._active_run(session, name)
            rows = await session.execute(
                select(LedgerEntryRow.account, LedgerEntryRow.party_id,
                       func.sum(LedgerEntryRow.amount_micros))
                .where(LedgerEntryRow.period == name)
                .group_by(LedgerEntryRow.account, LedgerEntryRow.party_id)
            )
            pool_in = 0
            owed: dict[str, int] = {}
            for account, party, amount in rows.all():
                if account == POOL_ACCOUNT:
                    pool_in -= int(amount)
                elif party is not None and int(amount):
                    owed[party] = int(amount)
            names = await self._names(session, owed)
        return PeriodSummary(name, run.currency if run else currency,
                             _run_info(run) if run else None, pool_in, owed, names)

    async def _names(self, session: AsyncSession, ids: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(ids))
        names = {i: SYSTEM_NAMES[i] for i in wanted if i in SYSTEM_NAMES}
        for start in range(0, len(wanted), 500):
            rows = await session.execute(
                select(PartyRow.id, PartyRow.name).where(PartyRow.id.in_(wanted[start : start + 500]))
            )
            names.update({i: n for i, n in rows.all()})
        return names

    async def parties(self, period: Period) -> list[str]:
        """Parties with legs in the period (net zero included)."""
        async with self._db.read() as session:
            rows = await session.scalars(
                select(LedgerEntryRow.party_id.distinct())
                .where(LedgerEntryRow.period == str(period), LedgerEntryRow.account == PARTY_ACCOUNT)
                .order_by(LedgerEntryRow.party_id)
            )
            return [p for p in rows.all() if p is not None]

    async def statement(
        self, party_id: str, period: Period, currency: str, *, by_territory: bool = False
    ) -> Statement:
        """The party's statement: its net legs of the period, with the active run's usage."""
        name = str(period)
        async with self._db.read() as session:
            party = await session.get(PartyRow, party_id)
            if party is None and party_id not in SYSTEM_NAMES:
                raise RoyaltyError(f"no party {party_id!r}; `refrain catalog` lists the catalog's parties")
            entries = (await session.scalars(
                select(LedgerEntryRow).where(
                    LedgerEntryRow.period == name,
                    LedgerEntryRow.party_id == party_id,
                    LedgerEntryRow.account == PARTY_ACCOUNT,
                ).order_by(LedgerEntryRow.id)
            )).all()
            legs = [_leg_of(e) for e in entries]
            run = await self._active_run(session, name)
            usage: dict[tuple[str, str, str], Usage] = {}
            if run is not None:
                for u in (await session.scalars(
                    select(AllocationUsageRow).where(AllocationUsageRow.run_id == run.id)
                )).all():
                    usage[(u.recording_id, u.territory, u.played_period)] = Usage(u.plays, u.qualified)
            recordings = await self._recording_info(session, {leg.recording_id or "" for leg in legs})
        return build_statement(
            party_id=party_id,
            party_name=party.name if party else SYSTEM_NAMES[party_id],
            ipi=party.ipi if party else None,
            period=name,
            currency=run.currency if run else currency,
            run_id=run.id if run else None,
            legs=legs,
            recordings=recordings,
            usage=usage,
            by_territory=by_territory,
        )

    async def _recording_info(
        self, session: AsyncSession, ids: set[str]
    ) -> dict[str, RecordingInfo]:
        wanted = sorted(i for i in ids if i)
        out: dict[str, RecordingInfo] = {}
        for start in range(0, len(wanted), 500):
            rows = await session.execute(
                select(RecordingRow.id, RecordingRow.isrc, WorkRow.iswc, RecordingRow.title,
                       RecordingRow.artist)
                .join(WorkRow, WorkRow.id == RecordingRow.work_id)
                .where(RecordingRow.id.in_(wanted[start : start + 500]))
            )
            for rid, isrc, iswc, title, artist in rows.all():
                out[rid] = RecordingInfo(rid, isrc, iswc, title, artist)
        return out



class _UsageRow(NamedTuple):
    """Plays of one clip class, day, territory, escrow situation, usage and origin kind."""

    recording_id: str
    kind: str
    voice_model_id: str | None
    license_id: str
    version: int
    day: date | None  # only for clips whose shares are dated; else the period's first day
    territory: str
    played_period: str
    escrow: int  # bits: 1 revoked voice, 2 opted-out work, 4 opted-out recording
    usage: str
    active: bool
    qualified: bool
    listener: str | None  # user-centric only
    plays: int


def _seen(rows: Iterable[_UsageRow]) -> dict[tuple[str, str, str], list[int]]:
    """Plays and qualified plays per recording, territory and played period (the usage summary)."""
    seen: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        counted = seen[(row.recording_id, row.territory, row.played_period)]
        counted[0] += int(row.plays)
        counted[1] += int(row.plays) if row.qualified else 0
    return seen


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


__all__ = ["SqlRoyaltyStore"]
