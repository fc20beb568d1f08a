"""Users: platform identities mapped to one internal id, their settings, export and erasure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ids import new_id
from core.model import User
from storage.errors import NotFound, StorageConflict
from storage.repositories.audit import audit_of
from storage.repositories.clips import clip_of
from storage.repositories.json_ready import json_ready
from storage.repositories.quota import entry_of
from storage.repositories.reports import report_of
from storage.repositories.requests import request_of
from storage.schema import (
    AuditRow,
    ClipRow,
    QuotaEntryRow,
    RenderRequestRow,
    ReportReasonRow,
    ReportResolutionRow,
    ReportRow,
    UserRow,
)
from storage.sessions import Sessions, in_chunks, rowcount

DEFAULT_TIER = "free"
ERASED_NAME = "deleted user"
"""What an erased user is called wherever a name is shown (audit listings, the CLI)."""


def tombstone(user_id: str) -> str:
    """What replaces an erased user's platform id: unique, and no longer theirs."""
    return f"deleted:{user_id}"


def user_of(row: UserRow) -> User:
    return User(
        id=row.id,
        platform=row.platform,
        platform_user_id=row.platform_user_id,
        display_name=row.display_name,
        tier=row.tier,
        country=row.country,
        terms_version=row.terms_version,
        created_at=row.created_at,
    )


class SqlUserRepository:
    """``core.ports.UserRepository`` on SQL."""

    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    async def get_or_create(
        self, platform: str, platform_user_id: str, display_name: str, at: datetime
    ) -> User:
        """The user behind a platform id, created on first sight; keeps the name current."""
        found = await self.find(platform, platform_user_id)
        if found is not None and found.display_name == display_name:
            return found  # the common case stays a read: no write lock taken
        try:
            async with self._db.write() as session:
                row = (await session.scalars(_by_platform(platform, platform_user_id))).first()
                if row is None:
                    row = UserRow(
                        id=new_id(),
                        platform=platform,
                        platform_user_id=platform_user_id,
                        display_name=display_name,
                        tier=DEFAULT_TIER,
                        country=None,
                        terms_version=None,
                        terms_accepted_at=None,
                        created_at=at,
                    )
                    session.add(row)
                elif display_name:
                    row.display_name = display_name
                await session.flush()
                return user_of(row)
        except StorageConflict:
            # Created concurrently by another process (PostgreSQL); theirs wins.
            found = await self.find(platform, platform_user_id)
            if found is None:
                raise
            return found

    async def get(self, user_id: str) -> User | None:
        async with self._db.read() as session:
            row = await session.get(UserRow, user_id)
            return None if row is None else user_of(row)

    async def find(self, platform: str, platform_user_id: str) -> User | None:
        async with self._db.read() as session:
            row = (await session.scalars(_by_platform(platform, platform_user_id))).first()
            return None if row is None else user_of(row)

    async def find_many(
        self, identities: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], User]:
        """The known users among (platform, platform user id) pairs, in one read."""
        wanted = set(identities)
        found: dict[tuple[str, str], User] = {}
        if not wanted:
            return found
        async with self._db.read() as session:
            for platform in {p for p, _ in wanted}:
                for chunk in in_chunks(uid for p, uid in wanted if p == platform):
                    rows = await session.scalars(
                        select(UserRow).where(
                            UserRow.platform == platform, UserRow.platform_user_id.in_(chunk)
                        )
                    )
                    for row in rows:
                        found[(row.platform, row.platform_user_id)] = user_of(row)
        return found

    async def set_tier(self, user_id: str, tier: str) -> None:
        await self._update(user_id, tier=tier)

    async def set_country(self, user_id: str, country: str | None) -> None:
        await self._update(user_id, country=country)

    async def accept_terms(self, user_id: str, version: str, at: datetime) -> None:
        await self._update(user_id, terms_version=version, terms_accepted_at=at)

    async def export(self, user_id: str) -> dict[str, Any]:
        """Everything stored about a user, as JSON-ready data."""
        async with self._db.read() as session:
            row = await session.get(UserRow, user_id)
            if row is None:
                raise NotFound(f"no user {user_id!r}")
            requests = (
                await session.scalars(
                    select(RenderRequestRow)
                    .where(RenderRequestRow.user_id == user_id)
                    .order_by(RenderRequestRow.created_at, RenderRequestRow.id)
                )
            ).all()
            request_ids = [r.id for r in requests]
            clips = await session.scalars(
                select(ClipRow)
                .where(ClipRow.requester_id == user_id)
                .order_by(ClipRow.created_at, ClipRow.id)
            )
            entries = await session.scalars(
                select(QuotaEntryRow)
                .where(QuotaEntryRow.request_id.in_(request_ids))
                .order_by(QuotaEntryRow.at, QuotaEntryRow.id)
            )
            audit = await session.scalars(
                select(AuditRow)
                .where(
                    or_(
                        AuditRow.actor_user_id == user_id,
                        AuditRow.detail.contains(user_id, autoescape=True),
                    )
                )
                .order_by(AuditRow.at, AuditRow.id)
            )
            reports = await session.execute(
                select(ReportRow, ReportResolutionRow, ReportReasonRow.reason)
                .outerjoin(ReportResolutionRow, ReportResolutionRow.report_id == ReportRow.id)
                .outerjoin(ReportReasonRow, ReportReasonRow.report_id == ReportRow.id)
                .where(ReportRow.reporter_user_id == user_id)
                .order_by(ReportRow.created_at, ReportRow.id)
            )
            user = json_ready(user_of(row))
            user["terms_accepted_at"] = json_ready(row.terms_accepted_at)
            return {
                "user": user,
                "requests": [json_ready(request_of(r)) for r in requests],
                "clips": [json_ready(clip_of(c)) for c in clips],
                "quota_entries": [json_ready(entry_of(e)) for e in entries],
                "audit_entries": [json_ready(audit_of(a)) for a in audit],
                "reports": [json_ready(report_of(*r)) for r in reports],
            }

    async def delete_personal_data(self, user_id: str) -> None:
        """Erase name, platform id, country and the words of the user's reports, in one
        transaction; the internal id stays so history adds up.

        Requests, clips, reports and ledger entries refer to the opaque id
        only. A person who comes back later under the same platform id gets a
        new user.
        """
        async with self._db.write() as session:
            await self._update_in(
                session,
                user_id,
                display_name=ERASED_NAME,
                platform_user_id=tombstone(user_id),
                country=None,
            )
            their_reports = select(ReportRow.id).where(ReportRow.reporter_user_id == user_id)
            await session.execute(
                delete(ReportReasonRow)
                .where(ReportReasonRow.report_id.in_(their_reports))
                .execution_options(synchronize_session=False)
            )

    async def _update(self, user_id: str, **values: object) -> None:
        async with self._db.write() as session:
            await self._update_in(session, user_id, **values)

    @staticmethod
    async def _update_in(session: AsyncSession, user_id: str, **values: object) -> None:
        result = await session.execute(
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(values)
            .execution_options(synchronize_session=False)
        )
        if rowcount(result) == 0:
            raise NotFound(f"no user {user_id!r}")


def _by_platform(platform: str, platform_user_id: str) -> Select[tuple[UserRow]]:
    return select(UserRow).where(
        UserRow.platform == platform, UserRow.platform_user_id == platform_user_id
    )
