"""The append-only play log: batched, idempotent inserts of play events.

``append`` is ``INSERT … ON CONFLICT (event_id) DO NOTHING`` in batches
(see ``SqlPlayLog``), so a retried beacon or a re-imported file adds nothing
and the count of new events is exact on both backends. Each event is given
its accounting period on the way in (its
month, or the next open period when that month is already closed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.model import PlayEvent
from core.royalties import accounting_period
from storage.schema import ClipRow, PeriodCloseRow, PlayEventRow
from storage.sessions import Sessions

BATCH = 5_000


def event_values(event: PlayEvent, closed: frozenset[str]) -> dict[str, Any]:
    return dict(zip(_COLUMNS, _row(event, _Periods(closed)), strict=True))


class _Periods:
    """The accounting period of a play time, remembered per month (one call per event)."""

    def __init__(self, closed: frozenset[str]) -> None:
        self._closed = closed
        self._cache: dict[tuple[int, int], str] = {}

    def of(self, played_at: datetime) -> str:
        utc = played_at.astimezone(UTC)
        key = (utc.year, utc.month)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = str(accounting_period(utc, self._closed))
        return found


def _row(event: PlayEvent, periods: _Periods) -> tuple[Any, ...]:
    played = event.played_at
    return (
        event.event_id,
        event.clip_id,
        event.delivery_id,
        event.usage.value,
        event.listener_key,
        event.platform,
        event.origin.value,
        event.ms_played,
        event.territory,
        played,
        event.received_at,
        periods.of(played),
        int(played.timestamp()) // 3600,
    )


_COLUMNS = (
    "event_id", "clip_id", "delivery_id", "usage", "listener_key", "platform", "origin",
    "ms_played", "territory", "played_at", "received_at", "period", "play_hour",
)
_SQLITE_INSERT = (
    f"INSERT INTO play_event ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
    "ON CONFLICT (event_id) DO NOTHING"
)
_PG_TYPES = (
    "text", "text", "text", "text", "text", "text", "text",
    "integer", "text", "timestamptz", "timestamptz", "text", "integer",
)
_PG_INSERT = (
    f"INSERT INTO play_event ({', '.join(_COLUMNS)}) SELECT * FROM unnest("
    + ", ".join(f"${i}::{t}[]" for i, t in enumerate(_PG_TYPES, 1))
    + ") ON CONFLICT (event_id) DO NOTHING"
)


def _sqlite_time(moment: datetime) -> str:
    """The text SQLAlchemy's UTCDateTime stores on SQLite (naive UTC, fixed width)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


async def _sqlite_append(raw: Any, events: Sequence[PlayEvent], closed: frozenset[str]) -> int:
    periods = _Periods(closed)
    rows = []
    for event in events:
        row = list(_row(event, periods))
        row[9] = _sqlite_time(event.played_at)
        row[10] = _sqlite_time(event.received_at)
        rows.append(row)
    cursor = await raw.executemany(_SQLITE_INSERT, rows)
    try:
        return int(cursor.rowcount)
    finally:
        await cursor.close()


async def _pg_append(raw: Any, events: Sequence[PlayEvent], closed: frozenset[str]) -> int:
    periods = _Periods(closed)
    columns = [list(c) for c in zip(*(_row(e, periods) for e in events), strict=True)]
    status = await raw.execute(_PG_INSERT, *columns)
    return int(str(status).rsplit(" ", 1)[-1])


async def closed_periods(session: AsyncSession) -> frozenset[str]:
    return frozenset((await session.scalars(select(PeriodCloseRow.period))).all())


async def append_events(
    session: AsyncSession, events: Sequence[PlayEvent], batch: int = BATCH
) -> int:
    """Insert the events not seen before inside ``session``'s transaction; how many were new.

    Other writes (a delivery and its request's settlement) can share the
    transaction, so a usage line exists exactly when its delivery does.
    """
    if not events:
        return 0
    closed = await closed_periods(session)
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None
    append = _pg_append if session.get_bind().dialect.name == "postgresql" else _sqlite_append
    added = 0
    for start in range(0, len(events), batch):
        added += await append(raw, events[start : start + batch], closed)
    return added


class SqlPlayLog:
    """``core.ports.PlayLog`` on SQL.

    The hot path bypasses the ORM: one prepared ``executemany`` per batch on
    SQLite (its row count is the number of rows actually inserted), one
    ``INSERT … SELECT FROM unnest(arrays)`` per batch on PostgreSQL (the
    command status says how many rows went in). Both run inside the unit
    of work's transaction, on its connection.
    """

    def __init__(self, sessions: Sessions, batch: int = BATCH) -> None:
        self._db = sessions
        self._batch = batch

    async def append(self, events: Sequence[PlayEvent]) -> int:
        """Store the events not seen before, in one transaction; returns how many were new."""
        if not events:
            return 0
        async with self._db.write() as session:
            return await append_events(session, events, self._batch)

    async def known_clips(self, clip_ids: Iterable[str]) -> set[str]:
        """Which of ``clip_ids`` exist (ingestion refuses plays of unknown clips)."""
        wanted = sorted(set(clip_ids))
        found: set[str] = set()
        async with self._db.read() as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                ids = await session.scalars(select(ClipRow.id).where(ClipRow.id.in_(chunk)))
                found.update(ids.all())
        return found

    async def count(self, period: str | None = None) -> int:
        """How many events are stored (in one accounting period)."""
        query = select(func.count()).select_from(PlayEventRow)
        if period is not None:
            query = query.where(PlayEventRow.period == period)
        async with self._db.read() as session:
            return int(await session.scalar(query) or 0)
