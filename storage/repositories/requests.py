"""Render requests: the state machine, idempotent creation and quota settlement."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ids import new_id
from core.model import Origin, QuotaEntryKind, RenderRequest, RequestState, Transformation
from core.ports import QuotaExceeded, Reservation
from storage.errors import StorageConflict
from storage.repositories.quota import lock_accounts, used_seconds_many_in
from storage.schema import QuotaEntryRow, RenderRequestRow
from storage.sessions import Sessions, in_chunks, rowcount

_HEX = re.compile(r"^[0-9a-f]{1,32}$")
_OPEN_STATES = frozenset({RequestState.QUEUED.value, RequestState.RUNNING.value})


def short_id_of(request_id: str) -> str:
    """The 8 hex digits users quote for a request: the end of its id without hyphens."""
    return request_id.replace("-", "")[-8:].lower()


def request_row(request: RenderRequest) -> RenderRequestRow:
    return RenderRequestRow(
        id=request.id,
        short_id=short_id_of(request.id),
        idempotency_key=request.idempotency_key,
        user_id=request.user_id,
        scope_id=request.scope_id,
        channel_id=request.channel_id,
        transformation=request.transformation.value,
        recording_id=request.recording_id,
        style=request.style,
        voice_model_id=request.voice_model_id,
        seconds=request.seconds,
        license_id=request.license_id,
        license_version=request.license_version,
        territory=request.territory,
        state=request.state.value,
        progress=request.progress,
        stage=request.stage,
        variation=request.variation,
        error=request.error,
        clip_id=request.clip_id,
        created_at=request.created_at,
        updated_at=request.updated_at,
        attempts=request.attempts,
        lease_expires_at=request.lease_expires_at,
        delivery_id=request.delivery_id,
        delivery_format=request.delivery_format,
        origin=request.origin.value,
    )


def request_of(row: RenderRequestRow) -> RenderRequest:
    return RenderRequest(
        id=row.id,
        idempotency_key=row.idempotency_key,
        user_id=row.user_id,
        scope_id=row.scope_id,
        channel_id=row.channel_id,
        transformation=Transformation(row.transformation),
        recording_id=row.recording_id,
        style=row.style,
        voice_model_id=row.voice_model_id,
        seconds=row.seconds,
        license_id=row.license_id,
        license_version=row.license_version,
        territory=row.territory,
        state=RequestState(row.state),
        created_at=row.created_at,
        updated_at=row.updated_at,
        error=row.error,
        clip_id=row.clip_id,
        progress=row.progress,
        stage=row.stage,
        variation=row.variation,
        attempts=row.attempts,
        lease_expires_at=row.lease_expires_at,
        delivery_id=row.delivery_id,
        delivery_format=row.delivery_format,
        origin=Origin(row.origin),
    )


class SqlRequestRepository:
    """``core.ports.RequestRepository`` on SQL."""

    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    async def create(
        self, request: RenderRequest, reservations: Sequence[Reservation], at: datetime
    ) -> tuple[RenderRequest, bool]:
        """Insert a request and reserve its quota in one transaction.

        The quota accounts are locked before the idempotency key is checked
        and before the balances are read, so concurrent submits on the same
        account run one after the other and each sees the others' entries.
        """
        try:
            async with self._db.write() as session:
                await lock_accounts(session, [r.account for r in reservations])
                existing = await self._by_key(session, request.idempotency_key)
                if existing is not None:
                    return request_of(existing), False
                await _check_fits(session, reservations)
                row = request_row(request)
                session.add(row)
                await session.flush()
                session.add_all(_reserve_rows(request.id, reservations, at))
                await session.flush()
                return request_of(row), True
        except StorageConflict:
            # A concurrent create with the same key won (only possible without
            # reservations, when there is no account row to queue on).
            stored = await self.get_by_idempotency_key(request.idempotency_key)
            if stored is None:
                raise
            return stored, False

    async def create_many(
        self, items: Sequence[tuple[RenderRequest, Sequence[Reservation]]], at: datetime
    ) -> list[tuple[RenderRequest, bool] | QuotaExceeded]:
        """:meth:`create` for many requests in one transaction, in order.

        Each item gets what ``create`` would have given it had they run one
        after the other: the stored request and whether it is new, or the
        ``QuotaExceeded`` it would have raised (earlier items' reservations
        count). A burst of submits then costs one write instead of one each.
        """
        if not items:
            return []
        try:
            async with self._db.write() as session:
                await lock_accounts(session, [r.account for _, rs in items for r in rs])
                stored: dict[str, RenderRequestRow] = {}
                for chunk in in_chunks(request.idempotency_key for request, _ in items):
                    rows = await session.scalars(
                        select(RenderRequestRow).where(RenderRequestRow.idempotency_key.in_(chunk))
                    )
                    stored.update((row.idempotency_key, row) for row in rows)
                used = await used_seconds_many_in(
                    session, [(r.account, r.period_start) for _, rs in items for r in rs]
                )
                results: list[tuple[RenderRequest, bool] | QuotaExceeded] = []
                entries: list[QuotaEntryRow] = []
                for request, reservations in items:
                    if (row := stored.get(request.idempotency_key)) is not None:
                        results.append((request_of(row), False))
                        continue
                    if (exceeded := _first_overrun(used, reservations)) is not None:
                        results.append(exceeded)
                        continue
                    for r in reservations:
                        used[(r.account, r.period_start)] += r.seconds
                    row = request_row(request)
                    session.add(row)
                    stored[request.idempotency_key] = row
                    entries.extend(_reserve_rows(request.id, reservations, at))
                    results.append((request, True))
                await session.flush()  # the requests first: the entries point at them
                session.add_all(entries)
                await session.flush()
                return results
        except StorageConflict:
            # Another process stored one of the keys meanwhile (PostgreSQL): one at a time.
            return [await self._create_or_exceeded(request, rs, at) for request, rs in items]

    async def _create_or_exceeded(
        self, request: RenderRequest, reservations: Sequence[Reservation], at: datetime
    ) -> tuple[RenderRequest, bool] | QuotaExceeded:
        try:
            return await self.create(request, reservations, at)
        except QuotaExceeded as exc:
            return exc

    async def last_created_at_many(
        self, pairs: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], datetime]:
        """When each (user, scope) last submitted, for cooldowns, in one read (absent: never)."""
        found: dict[tuple[str, str], datetime] = {}
        wanted = set(pairs)
        async with self._db.read() as session:
            for chunk in in_chunks(user for user, _ in pairs):
                rows = await session.execute(
                    select(
                        RenderRequestRow.user_id,
                        RenderRequestRow.scope_id,
                        func.max(RenderRequestRow.created_at),
                    )
                    .where(RenderRequestRow.user_id.in_(chunk))
                    .group_by(RenderRequestRow.user_id, RenderRequestRow.scope_id)
                )
                for user, scope, latest in rows:
                    if (user, scope) in wanted and latest is not None:
                        found[(user, scope)] = latest
        return found

    async def get_by_idempotency_keys(self, keys: Sequence[str]) -> dict[str, RenderRequest]:
        """The stored requests among ``keys``, in one read."""
        found: dict[str, RenderRequest] = {}
        async with self._db.read() as session:
            for chunk in in_chunks(keys):
                rows = await session.scalars(
                    select(RenderRequestRow).where(RenderRequestRow.idempotency_key.in_(chunk))
                )
                found.update((row.idempotency_key, request_of(row)) for row in rows)
        return found

    async def get(self, request_id: str) -> RenderRequest | None:
        async with self._db.read() as session:
            row = await session.get(RenderRequestRow, request_id)
            return None if row is None else request_of(row)

    async def get_by_idempotency_key(self, key: str) -> RenderRequest | None:
        async with self._db.read() as session:
            row = await self._by_key(session, key)
            return None if row is None else request_of(row)

    async def find_by_short_id(self, short_id: str) -> RenderRequest | None:
        """The request whose id (hyphens removed) ends with ``short_id``; newest if several."""
        wanted = short_id.strip().lower()
        if not _HEX.match(wanted):
            return None
        async with self._db.read() as session:
            query = select(RenderRequestRow)
            if len(wanted) == 8:
                query = query.where(RenderRequestRow.short_id == wanted)
            else:  # rare: not the usual 8 digits, so no index to help
                hexdigits = func.replace(RenderRequestRow.id, "-", "")
                query = query.where(hexdigits.like(f"%{wanted}"))  # hex only: no wildcards
            row = (
                await session.scalars(
                    query.order_by(
                        RenderRequestRow.created_at.desc(), RenderRequestRow.id.desc()
                    ).limit(1)
                )
            ).first()
            return None if row is None else request_of(row)

    async def transition(
        self,
        request_id: str,
        allowed_from: frozenset[RequestState],
        to: RequestState,
        at: datetime,
        *,
        error: str | None = None,
        clip_id: str | None = None,
    ) -> RenderRequest | None:
        """Compare-and-set the state; ``None`` if the request was not in ``allowed_from``.

        Moving to DELIVERED commits the quota reservation, to FAILED or
        CANCELLED refunds it, in the same transaction.
        """
        if not allowed_from:
            return None
        values: dict[str, object] = {"state": to.value, "updated_at": at}
        if to.final:  # nobody holds a finished request
            values.update(lease_token=None, lease_expires_at=None)
        if error is not None:
            values["error"] = error
        if clip_id is not None:
            values["clip_id"] = clip_id
        async with self._db.write() as session:
            result = await session.execute(
                update(RenderRequestRow)
                .where(
                    RenderRequestRow.id == request_id,
                    RenderRequestRow.state.in_(sorted(s.value for s in allowed_from)),
                )
                .values(values)
                .execution_options(synchronize_session=False)
            )
            if rowcount(result) == 0:
                return None
            if to is RequestState.DELIVERED:
                await settle_quota(session, request_id, QuotaEntryKind.COMMIT, at)
            elif to in (RequestState.FAILED, RequestState.CANCELLED):
                await settle_quota(session, request_id, QuotaEntryKind.REFUND, at)
            row = await session.get(RenderRequestRow, request_id)
            assert row is not None
            return request_of(row)

    async def set_progress(self, request_id: str, stage: str, percent: int, at: datetime) -> None:
        """Record progress of an open request; a finished or unknown request is left alone."""
        async with self._db.write() as session:
            await session.execute(
                update(RenderRequestRow)
                .where(
                    RenderRequestRow.id == request_id,
                    RenderRequestRow.state.in_(sorted(_OPEN_STATES)),
                )
                .values(stage=stage, progress=max(0, min(100, percent)), updated_at=at)
                .execution_options(synchronize_session=False)
            )

    async def list_in_states(self, states: frozenset[RequestState]) -> list[RenderRequest]:
        """Requests in any of ``states``, oldest first (the order they were queued in)."""
        if not states:
            return []
        async with self._db.read() as session:
            rows = await session.scalars(
                select(RenderRequestRow)
                .where(RenderRequestRow.state.in_(sorted(s.value for s in states)))
                .order_by(RenderRequestRow.created_at, RenderRequestRow.id)
            )
            return [request_of(row) for row in rows]

    async def count_by_state(self) -> dict[RequestState, int]:
        """How many requests are in each state (every state present, zero included)."""
        counts = dict.fromkeys(RequestState, 0)
        async with self._db.read() as session:
            rows = await session.execute(
                select(RenderRequestRow.state, func.count()).group_by(RenderRequestRow.state)
            )
            for state, count in rows.all():
                counts[RequestState(state)] = int(count)
        return counts

    async def delivered_since(self, since: datetime, limit: int = 500) -> list[RenderRequest]:
        async with self._db.read() as session:
            rows = await session.scalars(
                select(RenderRequestRow)
                .where(
                    RenderRequestRow.state == RequestState.DELIVERED.value,
                    RenderRequestRow.updated_at >= since,
                )
                .order_by(RenderRequestRow.updated_at, RenderRequestRow.id)
                .limit(limit)
            )
            return [request_of(row) for row in rows]

    async def list_for_user(self, user_id: str, limit: int = 20) -> list[RenderRequest]:
        """The user's latest requests, newest first."""
        async with self._db.read() as session:
            rows = await session.scalars(
                select(RenderRequestRow)
                .where(RenderRequestRow.user_id == user_id)
                .order_by(RenderRequestRow.created_at.desc(), RenderRequestRow.id.desc())
                .limit(limit)
            )
            return [request_of(row) for row in rows]

    @staticmethod
    async def _by_key(session: AsyncSession, key: str) -> RenderRequestRow | None:
        return (
            await session.scalars(
                select(RenderRequestRow).where(RenderRequestRow.idempotency_key == key)
            )
        ).first()


def _reserve_rows(
    request_id: str, reservations: Sequence[Reservation], at: datetime
) -> list[QuotaEntryRow]:
    return [
        QuotaEntryRow(
            id=new_id(),
            account=r.account,
            request_id=request_id,
            kind=QuotaEntryKind.RESERVE.value,
            seconds=r.seconds,
            period_start=r.period_start,
            at=at,
        )
        for r in reservations
    ]


def _first_overrun(
    used: dict[tuple[str, datetime], int], reservations: Sequence[Reservation]
) -> QuotaExceeded | None:
    """The first reservation that would pass its limit, against balances already read."""
    pending: dict[tuple[str, datetime], int] = {}
    for r in reservations:
        key = (r.account, r.period_start)
        now_used = pending.get(key, used.get(key, 0))
        if now_used + r.seconds > r.limit:
            return QuotaExceeded(r.account, now_used, r.limit)
        pending[key] = now_used + r.seconds
    return None


async def _check_fits(session: AsyncSession, reservations: Sequence[Reservation]) -> None:
    """Raise ``QuotaExceeded`` for the first reservation that would pass its limit."""
    used = await used_seconds_many_in(session, [(r.account, r.period_start) for r in reservations])
    if (exceeded := _first_overrun(used, reservations)) is not None:
        raise exceeded


async def settle_quota(
    session: AsyncSession, request_id: str, kind: QuotaEntryKind, at: datetime
) -> None:
    """Commit or refund each reservation of the request once, on the account it was made on."""
    rows = (
        await session.scalars(select(QuotaEntryRow).where(QuotaEntryRow.request_id == request_id))
    ).all()
    settled = {
        row.account
        for row in rows
        if row.kind in (QuotaEntryKind.COMMIT.value, QuotaEntryKind.REFUND.value)
    }
    reserved: dict[str, tuple[int, datetime]] = {}
    for row in rows:
        if row.kind == QuotaEntryKind.RESERVE.value and row.account not in settled:
            seconds, _ = reserved.get(row.account, (0, row.period_start))
            reserved[row.account] = (seconds + row.seconds, row.period_start)
    session.add_all(
        QuotaEntryRow(
            id=new_id(),
            account=account,
            request_id=request_id,
            kind=kind.value,
            seconds=seconds if kind is QuotaEntryKind.REFUND else 0,
            period_start=period_start,
            at=at,
        )
        for account, (seconds, period_start) in sorted(reserved.items())
    )
    await session.flush()
