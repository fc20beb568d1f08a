"""The moderators' audit log: append-only, read newest first."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from core.model import AuditEntry
from storage.schema import AuditRow
from storage.sessions import Sessions, in_chunks


def audit_of(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        scope_id=row.scope_id,
        actor_user_id=row.actor_user_id,
        action=row.action,
        detail=row.detail,
        at=row.at,
    )


class SqlAuditLog:
    """``core.ports.AuditLog`` on SQL."""

    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    async def append(self, entry: AuditEntry) -> None:
        async with self._db.write() as session:
            session.add(
                AuditRow(
                    id=entry.id,
                    scope_id=entry.scope_id,
                    actor_user_id=entry.actor_user_id,
                    action=entry.action,
                    detail=entry.detail,
                    at=entry.at,
                )
            )

    async def scopes_with_action(self, scope_ids: Sequence[str], action: str) -> set[str]:
        """Which of ``scope_ids`` have at least one entry of ``action``, in one read."""
        found: set[str] = set()
        async with self._db.read() as session:
            for chunk in in_chunks(scope_ids):
                rows = await session.scalars(
                    select(AuditRow.scope_id)
                    .where(AuditRow.scope_id.in_(chunk), AuditRow.action == action)
                    .distinct()
                )
                found.update(rows)
        return found

    async def list(self, scope_id: str, limit: int = 50) -> list[AuditEntry]:
        """The scope's latest entries, newest first."""
        async with self._db.read() as session:
            rows = await session.scalars(
                select(AuditRow)
                .where(AuditRow.scope_id == scope_id)
                .order_by(AuditRow.at.desc(), AuditRow.id.desc())
                .limit(limit)
            )
            return [audit_of(row) for row in rows]
