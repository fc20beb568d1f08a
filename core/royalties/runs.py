"""The royalty use case: plays → qualification → runs → ledger → statements.

``RoyaltyService`` makes every decision of a period's money — which events
qualify (fraud flags first), when a run is refused (period closed, another
run active without ``replace``), when it is the same run again (same
inputs, same id), how a replacement reverses the run before it, who gets
what (``allocation``), the postings (``ledger``), the statements and the
conservation check — and leaves the counting, summing and appending to a
``RoyaltyRepository`` (SQL in storage). A run, its posting, its legs and its
usage summary are written in one ``PeriodTransaction``; every table is
append-only, so a correction is a reversal posting.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from core.ids import new_id
from core.model import SYSTEM_PARTIES, Transformation, UsageType
from core.royalties.allocation import (
    NO_ESCROW,
    ClipClass,
    Escrow,
    GroupKey,
    LegKey,
    Method,
    UsageCount,
    allocate,
    boosted_artists,
    group_weights,
)
from core.royalties.catalog_facts import CatalogFacts, catalog_facts
from core.royalties.fraud import Suspect, find_suspects
from core.royalties.ledger import POOL_ACCOUNT, Posting, allocation_posting, reversal_of
from core.royalties.periods import Period
from core.royalties.ports import (
    ESCROW_RECORDING,
    ESCROW_VOICE,
    ESCROW_WORK,
    PendingPlay,
    PeriodTransaction,
    PeriodView,
    PlayDecision,
    RoyaltyRepository,
    Templates,
    UsageRow,
)
from core.royalties.qualification import Qualification, qualify
from core.royalties.rules import RuleSet
from core.royalties.run_id import RunInputs
from core.royalties.statements import Statement, Usage, build_statement
from core.royalties.types import (
    PeriodSummary,
    PoolBasis,
    QualifySummary,
    RoyaltyError,
    RunInfo,
    RunOutcome,
    RunRequest,
)

CHUNK_EVENTS = 50_000  # events qualified per round trip (listener by listener)
SYSTEM_NAMES = {party_id: party.name for party_id, party in SYSTEM_PARTIES.items()}
REPLACED = "replaced by a new run"


def _closed(period: str) -> RoyaltyError:
    return RoyaltyError(f"period {period} is closed; its runs can no longer change")


class RoyaltyService:
    """A period's royalties under one rule set, on a ``RoyaltyRepository``."""

    def __init__(self, repository: RoyaltyRepository, rules: RuleSet) -> None:
        self._repo = repository
        self.rules = rules

    # -- qualification ---------------------------------------------------------------------
    async def qualify(self, period: Period, at: datetime) -> QualifySummary:
        """Decide every event of the period that has no decision yet (fraud flags first)."""
        decided: Counter[str] = Counter()
        async with self._repo.period_lock(period) as tx:
            if not await tx.anything_pending():
                return QualifySummary(decided, len(await tx.flagged()))
            suspects = await self._flag_fraud(tx, at)
            for low, high in listener_ranges(await tx.pending_listeners(), CHUNK_EVENTS):
                pending = await tx.pending_plays(low, high)
                prior = await tx.prior_plays(low, high)
                decisions = qualify((p.facts for p in pending), rules=self.rules,
                                    suspects=suspects, prior=prior)
                await tx.store_decisions(self._decisions(str(period), decisions, pending, at))
                decided.update(d.reason.value for d in decisions)
        return QualifySummary(decided, len(suspects))

    async def _flag_fraud(self, tx: PeriodTransaction, at: datetime) -> set[str]:
        activity = await tx.busy_hours(self.rules.fraud_max_ms_per_hour,
                                       self.rules.fraud_max_clips_per_hour)
        found = find_suspects(activity, self.rules)
        if found:
            await tx.flag(found, at)
        return await tx.flagged()

    def _decisions(
        self, period: str, decisions: Sequence[Qualification], pending: Sequence[PendingPlay],
        at: datetime,
    ) -> list[PlayDecision]:
        by_event = {p.facts.event_id: p for p in pending}
        active = self.rules.active_origins
        out = []
        for decision in decisions:
            play, origin, territory = by_event[decision.event_id]
            out.append(PlayDecision(
                play, period, decision.reason, self.rules.version, at, origin in active, territory,
                play.day, str(Period.of(play.played_at)),
            ))
        return out

    # -- runs ------------------------------------------------------------------------------
    async def run(self, request: RunRequest, at: datetime) -> RunOutcome:
        """Qualify the period's new events, then allocate its pool (or recognise a rerun)."""
        name = str(request.period)
        basis = request.basis
        if basis is not None and (basis.pool != request.pool_micros or basis.period != name
                                  or basis.currency != request.currency):
            raise ValueError("a run's basis must be the basis of its own period, pool and currency")
        if await self.is_closed(request.period):
            raise _closed(name)
        await self.qualify(request.period, at)
        async with self._repo.period_lock(request.period) as tx:
            if await tx.is_closed():
                raise _closed(name)
            active = await tx.active_run()
            attempt = await tx.reversed_runs()
            facts = catalog_facts(await tx.catalog())
            # the decided events are the run's event set: their counts come with the aggregation,
            # and an event that arrives after qualification is left to a rerun (close() says so)
            rows = await tx.usage_counts(facts, by_listener=request.method is Method.USER_CENTRIC)
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
                catalog_digest=facts.digest,
                attempt=attempt,
            )
            replaced = None
            if active is not None:
                if active.id == inputs.run_id():
                    return RunOutcome(active, created=False)
                if not request.replace:
                    raise RoyaltyError(
                        f"period {name} already has run {active.id} (created "
                        f"{active.created_at:%Y-%m-%d %H:%M} UTC); reverse it first "
                        f"(`refrain royalties reverse {active.id} --why …`) or rerun with --replace"
                    )
                await self._reverse(tx, active.id, REPLACED, at)
                replaced = active.id
                inputs = dataclasses.replace(inputs, attempt=attempt + 1)
            run = RunInfo(inputs.run_id(), name, inputs.method, request.artist_centric,
                          request.pool_micros, request.currency, self.rules.version, events,
                          qualified, at)
            await tx.add_run(run, inputs)
            if basis is not None:
                await tx.store_basis(run.id, basis)
            # ties are broken by the inputs without the attempt number, so a corrected rerun of
            # unchanged data rounds exactly like the run it replaces
            seed = dataclasses.replace(inputs, attempt=0).run_id()
            legs = await self._allocate(tx, request, facts, rows, seed)
            posting = allocation_posting(new_id(), run.id, name, request.currency,
                                         request.pool_micros, legs)
            await tx.store_posting(posting, at)
            await tx.store_usage(run.id, usage_book(rows))
            return RunOutcome(run, created=True, replaced=replaced, legs=len(posting.legs) - 1)

    async def _allocate(
        self,
        tx: PeriodTransaction,
        request: RunRequest,
        facts: CatalogFacts,
        rows: list[UsageRow],
        seed: str,
    ) -> dict[LegKey, int]:
        qualified = [row for row in rows if row.qualified]
        templates = await tx.license_templates({(r.license_id, r.version) for r in qualified})
        classes, counts = usage_counts(qualified, facts, templates, self.rules)
        boosted: frozenset[str] = frozenset()
        if request.artist_centric:
            boosted = boosted_artists(await tx.artist_stats(), self.rules)
        weights = group_weights(counts, method=request.method, rules=self.rules, classes=classes,
                                artist_centric=request.artist_centric, boosted=boosted)
        return allocate(request.pool_micros, weights, classes=classes, book=facts.book, seed=seed)

    # -- reversals and closing -------------------------------------------------------------
    async def _reverse(self, tx: PeriodTransaction, run_id: str, why: str, at: datetime) -> str:
        undo = reversal_of(await tx.allocation_posting(run_id), new_id(), why)
        await tx.store_reversal(run_id, undo, why, at)
        return undo.id

    async def reverse(self, run_id: str, why: str, at: datetime) -> str:
        """Post the exact opposite of a run; the period can then be run again."""
        if not why.strip():
            raise RoyaltyError("say why the run is reversed (--why …): it stays in the ledger")
        run = await self._repo.find_run(run_id)
        if run is None:
            raise RoyaltyError(f"no allocation run {run_id}; `refrain royalties runs --period …` lists them")
        async with self._repo.period_lock(Period.parse(run.period)) as tx:
            if await tx.is_closed():
                raise _closed(run.period)
            if await tx.is_reversed(run_id):
                raise RoyaltyError(f"run {run_id} was already reversed")
            return await self._reverse(tx, run_id, why.strip(), at)

    async def close(self, period: Period, at: datetime) -> RunInfo:
        """Freeze a period on its active run; later usage is posted in the next period."""
        name = str(period)
        async with self._repo.period_lock(period) as tx:
            if await tx.is_closed():
                raise RoyaltyError(f"period {name} is already closed")
            run = await tx.active_run()
            if run is None:
                raise RoyaltyError(f"period {name} has no allocation run to close on; run it first")
            events = await tx.event_count()
            if events != run.events:
                raise RoyaltyError(
                    f"{events - run.events} plays of {name} arrived after run {run.id}; "
                    "rerun with --replace before closing, or they would never be paid"
                )
            await tx.close(run.id, at)
            return run

    # -- reading ---------------------------------------------------------------------------
    async def runs(self, period: Period) -> list[RunInfo]:
        async with self._repo.reading(period) as view:
            return await view.runs()

    async def active_run(self, period: Period) -> RunInfo | None:
        async with self._repo.reading(period) as view:
            return await view.active_run()

    async def is_closed(self, period: Period) -> bool:
        async with self._repo.reading(period) as view:
            return await view.is_closed()

    async def suspects(self, period: Period) -> list[Suspect]:
        async with self._repo.reading(period) as view:
            return await view.suspects()

    async def qualification_counts(self, period: Period) -> dict[str, int]:
        async with self._repo.reading(period) as view:
            return await view.qualification_counts()

    async def postings(self, period: Period) -> list[Posting]:
        async with self._repo.reading(period) as view:
            return await view.postings()

    async def parties(self, period: Period) -> list[str]:
        """Parties with legs in the period (net zero included)."""
        async with self._repo.reading(period) as view:
            return await view.parties()

    async def basis(self, period: Period) -> PoolBasis | None:
        """The revenue basis of the period's active run (None: its pool was typed in)."""
        async with self._repo.reading(period) as view:
            run = await view.active_run()
            return await view.run_basis(run.id) if run is not None else None

    async def summary(self, period: Period, currency: str) -> PeriodSummary:
        """What each party is owed, net of reversals, and what the pool gave (conservation)."""
        async with self._repo.reading(period) as view:
            run = await view.active_run()
            pool_in = 0
            owed: dict[str, int] = {}
            for account, party, amount in await view.account_totals():
                if account == POOL_ACCOUNT:
                    pool_in -= amount
                elif party is not None and amount:
                    owed[party] = amount
            names = await _names(view, owed)
        return PeriodSummary(str(period), run.currency if run else currency, run, pool_in, owed, names)

    async def statement(
        self, party_id: str, period: Period, currency: str, *, by_territory: bool = False
    ) -> Statement:
        """The party's statement: its net legs of the period, with the active run's usage."""
        async with self._repo.reading(period) as view:
            party = await view.party(party_id)
            if party is None and party_id not in SYSTEM_NAMES:
                raise RoyaltyError(f"no party {party_id!r}; `refrain catalog` lists the catalog's parties")
            legs = await view.party_legs(party_id)
            run = await view.active_run()
            usage = await view.run_usage(run.id) if run is not None else {}
            recordings = await view.recordings({leg.recording_id for leg in legs if leg.recording_id})
            basis = await view.run_basis(run.id) if run is not None else None
        return build_statement(
            party_id=party_id,
            party_name=party.name if party else SYSTEM_NAMES[party_id],
            ipi=party.ipi if party else None,
            period=str(period),
            currency=run.currency if run else currency,
            run_id=run.id if run else None,
            legs=legs,
            recordings=recordings,
            usage=usage,
            by_territory=by_territory,
            basis=basis,
        )


async def _names(view: PeriodView, ids: Iterable[str]) -> dict[str, str]:
    """The parties' names: the system parties' own, unless the catalog names them."""
    wanted = sorted(set(ids))
    names = {i: SYSTEM_NAMES[i] for i in wanted if i in SYSTEM_NAMES}
    names.update(await view.party_names(wanted))
    return names


def listener_ranges(counts: Iterable[tuple[str, int]], chunk: int) -> list[tuple[str, str]]:
    """Listener key ranges holding about ``chunk`` events each; a listener is never split,
    so the caps see all of a listener's plays at once."""
    ranges: list[tuple[str, str]] = []
    low: str | None = None
    size = 0
    last = ""
    for listener, count in counts:
        if low is None:
            low = listener
        size += count
        last = listener
        if size >= chunk:
            ranges.append((low, listener))
            low, size = None, 0
    if low is not None:
        ranges.append((low, last))
    return ranges


def usage_book(rows: Iterable[UsageRow]) -> dict[tuple[str, str, str], Usage]:
    """Plays and qualified plays per recording, territory and played period (the usage summary)."""
    seen: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        counted = seen[(row.recording_id, row.territory, row.played_period)]
        counted[0] += row.plays
        counted[1] += row.plays if row.qualified else 0
    return {key: Usage(plays, qualified) for key, (plays, qualified) in seen.items()}


def usage_counts(
    qualified: Iterable[UsageRow],
    facts: CatalogFacts,
    templates: Mapping[tuple[str, int], Templates],
    rules: RuleSet,
) -> tuple[dict[str, ClipClass], list[UsageCount]]:
    """The clip classes (recording, kind, voice, license version: where money goes) and the
    qualified plays of each group, from the aggregated rows."""
    classes: dict[str, ClipClass] = {}
    counts: list[UsageCount] = []
    first_days: dict[str, date] = {}
    for row in qualified:
        recording, voice = row.recording_id, row.voice_model_id
        class_id = f"{recording}|{row.kind}|{voice or ''}|{row.license_id}|{row.version}"
        if class_id not in classes:
            transformation = Transformation(row.kind)
            buckets = rules.buckets_for(transformation, templates[(row.license_id, row.version)])
            classes[class_id] = ClipClass(
                class_id, recording, facts.work_of[recording], transformation, voice,
                tuple(sorted(buckets.items(), key=lambda b: b[0].value)),
                facts.artist_of.get(recording, ""),
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
            Escrow(bool(escrow & ESCROW_VOICE), bool(escrow & ESCROW_WORK),
                   bool(escrow & ESCROW_RECORDING)) if escrow else NO_ESCROW,
        )
        counts.append(UsageCount(group, UsageType(row.usage), bool(row.active), row.plays, row.listener))
    return classes, counts


__all__ = ["CHUNK_EVENTS", "RoyaltyService", "listener_ranges", "usage_book", "usage_counts"]
