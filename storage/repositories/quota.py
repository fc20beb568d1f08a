"""The quota ledger: append-only entries per account, and the row locks that guard it.

A balance is never stored; it is reserved minus refunded seconds over the
entries of one period. The period is identified by its start, which every
entry of a reservation carries (refunds included), so a refund made after
midnight still returns the seconds to the period they were taken from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.model import QuotaEntry, QuotaEntryKind
from storage.schema import QuotaAccountRow, QuotaEntryRow
from storage.sessions import Sessions, in_chunks


def entry_of(row: QuotaEntryRow) -> QuotaEntry:
    return QuotaEntry(
        id=row.id,
        account=row.account,
        request_id=row.request_id,
        kind=QuotaEntryKind(row.kind),
        seconds=row.seconds,
        period_start=row.period_start,
        at=row.at,
    )


async def used_seconds_in(session: AsyncSession, account: str, period_start: datetime) -> int:
    """Reserved minus refunded seconds of ``account`` in the period starting at ``period_start``."""
    return (await used_seconds_many_in(session, [(account, period_start)]))[(account, period_start)]


async def used_seconds_many_in(
    session: AsyncSession, wanted: Iterable[tuple[str, datetime]]
) -> dict[tuple[str, datetime], int]:
    """Reserved minus refunded seconds of each (account, period start): one query per period start."""
    signed = case(
        (QuotaEntryRow.kind == QuotaEntryKind.RESERVE.value, QuotaEntryRow.seconds),
        (QuotaEntryRow.kind == QuotaEntryKind.REFUND.value, -QuotaEntryRow.seconds),
        else_=0,
    )
    by_start: dict[datetime, set[str]] = {}
    for account, start in wanted:
        by_start.setdefault(start, set()).add(account)
    used: dict[tuple[str, datetime], int] = {}
    for start, accounts in by_start.items():
        for chunk in in_chunks(accounts):
            rows = await session.execute(
                select(QuotaEntryRow.account, func.coalesce(func.sum(signed), 0))
                .where(QuotaEntryRow.period_start == start, QuotaEntryRow.account.in_(chunk))
                .group_by(QuotaEntryRow.account)
            )
            found = {account: int(total or 0) for account, total in rows}
            for account in chunk:
                used[(account, start)] = found.get(account, 0)
    return used


async def lock_accounts(session: AsyncSession, accounts: Sequence[str]) -> None:
    """Hold the accounts' rows until the transaction ends, creating missing ones.

    On PostgreSQL this is ``SELECT … FOR UPDATE`` (in sorted order, so two
    transactions locking overlapping accounts cannot deadlock); a concurrent
    reservation on the same account waits here and then sees our entries.
    On SQLite the write transaction already holds the database's only write
    lock (``BEGIN IMMEDIATE``), so creating the rows is all there is to do.
    """
    ordered = sorted(set(accounts))
    if not ordered:
        return
    rows = [{"account": account} for account in ordered]
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(pg_insert(QuotaAccountRow).values(rows).on_conflict_do_nothing())
        await session.execute(
            select(QuotaAccountRow.account)
            .where(QuotaAccountRow.account.in_(ordered))
            .order_by(QuotaAccountRow.account)
            .with_for_update()
        )
    else:
        await session.execute(sqlite_insert(QuotaAccountRow).values(rows).on_conflict_do_nothing())


class SqlQuotaLedger:
    """``core.ports.QuotaLedger`` on SQL (reads only; entries are written with requests)."""

    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    async def used_seconds(self, account: str, period_start: datetime) -> int:
        """Reserved minus refunded seconds of the account in the period."""
        async with self._db.read() as session:
            return await used_seconds_in(session, account, period_start)

    async def used_seconds_many(
        self, wanted: Sequence[tuple[str, datetime]]
    ) -> dict[tuple[str, datetime], int]:
        """:meth:`used_seconds` of many (account, period start) pairs in one read."""
        async with self._db.read() as session:
            return await used_seconds_many_in(session, wanted)

    async def entries(self, account: str) -> list[QuotaEntry]:
        """The account's entries, oldest first."""
        async with self._db.read() as session:
            rows = await session.scalars(
                select(QuotaEntryRow)
                .where(QuotaEntryRow.account == account)
                .order_by(QuotaEntryRow.at, QuotaEntryRow.id)
            )
            return [entry_of(row) for row in rows]
