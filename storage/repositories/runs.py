"""The worker's side of a request: claims with leases, and finishing exactly once.

A claim is a compare-and-set on the request row that also writes a fresh
token and a lease end. The worker renews the lease while it renders; every
later write names the token, so a worker that stalled past its lease (a
network partition, a stopped process) and was replaced cannot deliver or
fail the request a second time. Completion writes the clip, the requester's
copy, its usage lines, the state and the quota commit in one transaction:
either the fan was charged and has a copy, or neither happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.elements import ColumnElement

from core.model import Clip, Delivery, PlayEvent, QuotaEntryKind, RenderRequest, RequestState
from core.ports import Claim, NotClaimed, Stale, Unclaimable
from storage.repositories.clips import clip_row
from storage.repositories.deliveries import delivery_row
from storage.repositories.plays import append_events
from storage.repositories.requests import request_of, settle_quota
from storage.schema import ClipRow, DeliveryRow, RenderRequestRow
from storage.sessions import Sessions, rowcount

_QUEUED = RequestState.QUEUED.value
_RUNNING = RequestState.RUNNING.value
_OPEN = (_QUEUED, _RUNNING)


def _lapsed(at: datetime) -> ColumnElement[bool]:
    """A RUNNING request whose worker's lease ran out (no lease: an old or manual claim)."""
    return or_(RenderRequestRow.lease_expires_at.is_(None), RenderRequestRow.lease_expires_at < at)


class SqlRunRepository:
    """``core.ports.RunRepository`` on SQL."""

    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    async def claim(
        self, request_id: str, token: str, at: datetime, lease_s: float, max_attempts: int
    ) -> Claim | NotClaimed:
        expires = at + timedelta(seconds=lease_s)
        async with self._db.write() as session:
            result = await session.execute(
                update(RenderRequestRow)
                .where(
                    RenderRequestRow.id == request_id,
                    RenderRequestRow.attempts < max_attempts,
                    or_(
                        RenderRequestRow.state == _QUEUED,
                        and_(RenderRequestRow.state == _RUNNING, _lapsed(at)),
                    ),
                )
                .values(
                    state=_RUNNING,
                    attempts=RenderRequestRow.attempts + 1,
                    lease_token=token,
                    lease_expires_at=expires,
                    updated_at=at,
                )
                .execution_options(synchronize_session=False)
            )
            row = await session.get(RenderRequestRow, request_id, populate_existing=True)
            if row is None:
                return NotClaimed(Unclaimable.MISSING)
            request = request_of(row)
            if rowcount(result) == 1:
                return Claim(request, token, expires)
            if request.state.final:
                return NotClaimed(Unclaimable.FINISHED, request)
            if row.attempts >= max_attempts and (
                row.state == _QUEUED or row.lease_expires_at is None or row.lease_expires_at < at
            ):
                return NotClaimed(Unclaimable.EXHAUSTED, request)
            return NotClaimed(Unclaimable.HELD, request, row.lease_expires_at)

    async def renew(self, claim: Claim, at: datetime, lease_s: float) -> Claim | None:
        expires = at + timedelta(seconds=lease_s)
        async with self._db.write() as session:
            result = await session.execute(
                self._ours(claim).values(lease_expires_at=expires)
            )
            if rowcount(result) == 0:
                return None
        return Claim(claim.request, claim.token, expires)

    async def release(self, claim: Claim, at: datetime) -> bool:
        async with self._db.write() as session:
            result = await session.execute(
                self._ours(claim).values(
                    state=_QUEUED,
                    attempts=RenderRequestRow.attempts - 1,
                    lease_token=None,
                    lease_expires_at=None,
                    updated_at=at,
                )
            )
            return rowcount(result) == 1

    async def complete(
        self, claim: Claim, clip: Clip, delivery: Delivery, plays: Sequence[PlayEvent],
        at: datetime,
    ) -> RenderRequest | None:
        async with self._db.write() as session:
            result = await session.execute(
                self._ours(claim).values(
                    state=RequestState.DELIVERED.value,
                    clip_id=clip.id,
                    delivery_id=delivery.id,
                    lease_token=None,
                    lease_expires_at=None,
                    progress=100,
                    updated_at=at,
                )
            )
            if rowcount(result) == 0:
                return None  # the transaction is rolled back with nothing in it
            if await session.get(ClipRow, clip.id) is None:
                session.add(clip_row(clip))
                await session.flush()
            session.add(delivery_row(delivery))
            await session.flush()
            await append_events(session, plays)
            await settle_quota(session, claim.request.id, QuotaEntryKind.COMMIT, at)
            row = await session.get(RenderRequestRow, claim.request.id, populate_existing=True)
            assert row is not None
            return request_of(row)

    async def fail(
        self, request_id: str, error: str, at: datetime, *, token: str | None = None
    ) -> RenderRequest | None:
        conditions = [RenderRequestRow.id == request_id, RenderRequestRow.state.in_(_OPEN)]
        if token is not None:
            conditions.append(RenderRequestRow.lease_token == token)
        async with self._db.write() as session:
            result = await session.execute(
                update(RenderRequestRow)
                .where(*conditions)
                .values(
                    state=RequestState.FAILED.value,
                    error=error,
                    lease_token=None,
                    lease_expires_at=None,
                    updated_at=at,
                )
                .execution_options(synchronize_session=False)
            )
            if rowcount(result) == 0:
                return None
            await settle_quota(session, request_id, QuotaEntryKind.REFUND, at)
            row = await session.get(RenderRequestRow, request_id, populate_existing=True)
            assert row is not None
            return request_of(row)

    async def stale(self, at: datetime, queued_before: datetime, limit: int = 500) -> Stale:
        async with self._db.read() as session:
            queued = await session.scalars(
                select(RenderRequestRow)
                .where(
                    RenderRequestRow.state == _QUEUED, RenderRequestRow.updated_at < queued_before
                )
                .order_by(RenderRequestRow.created_at, RenderRequestRow.id)
                .limit(limit)
            )
            queued_rows = [request_of(row) for row in queued]
            expired = await session.scalars(
                select(RenderRequestRow)
                .where(RenderRequestRow.state == _RUNNING, _lapsed(at))
                .order_by(RenderRequestRow.created_at, RenderRequestRow.id)
                .limit(limit)
            )
            return Stale(queued_rows, [request_of(row) for row in expired])

    async def awaiting_handover(
        self, platform: str, since: datetime, limit: int = 200
    ) -> list[RenderRequest]:
        async with self._db.read() as session:
            rows = await session.scalars(
                select(RenderRequestRow)
                .join(DeliveryRow, DeliveryRow.id == RenderRequestRow.delivery_id)
                .where(
                    RenderRequestRow.state == RequestState.DELIVERED.value,
                    RenderRequestRow.updated_at >= since,
                    RenderRequestRow.idempotency_key.startswith(f"{platform}:", autoescape=True),
                    DeliveryRow.handed_over_at.is_(None),
                )
                .order_by(RenderRequestRow.updated_at, RenderRequestRow.id)
                .limit(limit)
            )
            return [request_of(row) for row in rows]

    @staticmethod
    def _ours(claim: Claim) -> Update:
        return (
            update(RenderRequestRow)
            .where(
                RenderRequestRow.id == claim.request.id,
                RenderRequestRow.state == _RUNNING,
                RenderRequestRow.lease_token == claim.token,
            )
            .execution_options(synchronize_session=False)
        )
