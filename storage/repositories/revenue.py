"""The revenue repository in SQL: entries and legs appended, grants kept, rates dated.

It implements ``core.revenue.RevenueRepository`` and ``core.ports.GrantStore``;
the use case (``core.revenue.RevenueService``) decides, this module stores.
An entry, its legs and its grant change are one transaction; the unique
``(platform, external_id)`` is what makes an event delivered twice count once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.model import Grant
from core.revenue import EntryKind, GrantEnd, Rate, RevenueEntry, RevenueLeg
from storage.errors import StorageConflict
from storage.schema import (
    PeriodCloseRow,
    RevenueEntryRow,
    RevenueLegRow,
    RevenueRateRow,
    TierGrantRow,
    UserRow,
)
from storage.sessions import Sessions, in_chunks


def _entry(row: RevenueEntryRow) -> RevenueEntry:
    return RevenueEntry(
        row.id, EntryKind(row.kind), row.platform, row.external_id, row.payer, row.plan_id,
        row.currency, row.gross_micros, row.fee_micros, row.at, row.service_start,
        row.service_days, row.subject, row.refers_to,
    )


def _grant(row: TierGrantRow) -> Grant:
    return Grant(row.id, row.subject, row.tier, row.plan_id, row.source, row.starts_at,
                 row.ends_at, row.ended_at)


class SqlRevenueRepository:
    """``RevenueRepository`` and ``GrantStore`` on SQL, one short transaction per call."""

    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    async def user_exists(self, user_id: str) -> bool:
        async with self._db.read() as session:
            return await session.get(UserRow, user_id) is not None

    async def find_entry(self, platform: str, external_id: str) -> RevenueEntry | None:
        async with self._db.read() as session:
            row = await session.scalar(select(RevenueEntryRow).where(
                RevenueEntryRow.platform == platform, RevenueEntryRow.external_id == external_id))
            return None if row is None else _entry(row)

    async def reversal_of(self, entry_id: str) -> RevenueEntry | None:
        async with self._db.read() as session:
            row = await session.scalar(
                select(RevenueEntryRow).where(RevenueEntryRow.refers_to == entry_id))
            return None if row is None else _entry(row)

    async def legs_of(self, entry_id: str) -> list[RevenueLeg]:
        async with self._db.read() as session:
            rows = await session.scalars(
                select(RevenueLegRow).where(RevenueLegRow.entry_id == entry_id)
                .order_by(RevenueLegRow.id))
            return [RevenueLeg(r.account, r.period, r.currency, r.amount_micros) for r in rows]

    async def closed_periods(self) -> frozenset[str]:
        async with self._db.read() as session:
            return frozenset((await session.scalars(select(PeriodCloseRow.period))).all())

    async def record(
        self,
        entry: RevenueEntry,
        legs: Sequence[RevenueLeg],
        grant: Grant | None = None,
        end: GrantEnd | None = None,
    ) -> bool:
        try:
            async with self._db.write() as session:
                session.add(RevenueEntryRow(
                    id=entry.id, kind=entry.kind.value, platform=entry.platform,
                    external_id=entry.external_id, payer=entry.payer, plan_id=entry.plan_id,
                    currency=entry.currency, gross_micros=entry.gross, fee_micros=entry.fee,
                    at=entry.at, service_start=entry.service_start,
                    service_days=entry.service_days, subject=entry.subject,
                    refers_to=entry.refers_to,
                ))
                await session.flush()
                session.add_all(
                    RevenueLegRow(entry_id=entry.id, account=leg.account, period=leg.period,
                                  currency=leg.currency, amount_micros=leg.amount)
                    for leg in legs
                )
                if grant is not None:
                    await _put_grant(session, grant)
                if end is not None:
                    row = await session.scalar(
                        select(TierGrantRow).where(TierGrantRow.source == end.source))
                    if row is not None and (row.ended_at is None or end.at < row.ended_at):
                        row.ended_at = end.at
        except StorageConflict:
            if await self.find_entry(entry.platform, entry.external_id) is not None:
                return False
            raise
        return True

    async def grants_of(self, subject: str) -> list[Grant]:
        async with self._db.read() as session:
            rows = await session.scalars(select(TierGrantRow).where(TierGrantRow.subject == subject)
                                         .order_by(TierGrantRow.starts_at, TierGrantRow.id))
            return [_grant(r) for r in rows]

    async def active_grants(self, subjects: Sequence[str], now: datetime) -> list[Grant]:
        out: list[Grant] = []
        async with self._db.read() as session:
            for chunk in in_chunks(subjects):
                rows = await session.scalars(select(TierGrantRow).where(
                    TierGrantRow.subject.in_(chunk), TierGrantRow.starts_at <= now))
                out += [g for g in map(_grant, rows) if g.active(now)]
        return out

    async def find_grant(self, source: str) -> Grant | None:
        async with self._db.read() as session:
            row = await session.scalar(select(TierGrantRow).where(TierGrantRow.source == source))
            return None if row is None else _grant(row)

    async def put_grant(self, grant: Grant) -> None:
        async with self._db.write() as session:
            await _put_grant(session, grant)

    async def period_totals(self, period: str) -> list[tuple[str, str, int]]:
        async with self._db.read() as session:
            rows = await session.execute(
                select(RevenueLegRow.account, RevenueLegRow.currency,
                       func.sum(RevenueLegRow.amount_micros))
                .where(RevenueLegRow.period == period)
                .group_by(RevenueLegRow.account, RevenueLegRow.currency)
                .order_by(RevenueLegRow.account, RevenueLegRow.currency))
            return [(a, c, int(t)) for a, c, t in rows.all()]

    async def periods(self) -> list[str]:
        async with self._db.read() as session:
            rows = await session.scalars(select(RevenueLegRow.period).distinct()
                                         .order_by(RevenueLegRow.period))
            return list(rows.all())

    async def add_rate(self, rate: Rate, at: datetime) -> None:
        async with self._db.write() as session:
            session.add(RevenueRateRow(currency=rate.currency, pool_currency=rate.pool_currency,
                                       rate=rate.rate, valid_from=rate.valid_from, set_at=at))

    async def rates(self) -> list[Rate]:
        async with self._db.read() as session:
            rows = await session.scalars(select(RevenueRateRow).order_by(RevenueRateRow.id))
            return [Rate(r.currency, r.pool_currency, r.rate, r.valid_from) for r in rows]


async def _put_grant(session: AsyncSession, grant: Grant) -> None:
    row = await session.scalar(select(TierGrantRow).where(TierGrantRow.source == grant.source))
    if row is None:
        session.add(TierGrantRow(id=grant.id, subject=grant.subject, tier=grant.tier,
                                 plan_id=grant.plan_id, source=grant.source,
                                 starts_at=grant.starts_at, ends_at=grant.ends_at,
                                 ended_at=grant.ended_at))
        return
    row.subject, row.tier, row.plan_id = grant.subject, grant.tier, grant.plan_id
    row.starts_at, row.ends_at, row.ended_at = grant.starts_at, grant.ends_at, grant.ended_at
