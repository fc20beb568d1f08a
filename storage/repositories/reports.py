"""The report queue: members' reports of clips and how moderators closed them.

Reports and resolutions are append-only. A report is open while it has no
resolution row; closing it inserts one, and the primary key on ``report_id``
makes the first resolution stand when two moderators close the same report at
once. The reporter's words live in ``report_reason``, which erasure may delete.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from core.model import Report
from storage.schema import ReportReasonRow, ReportResolutionRow, ReportRow
from storage.sessions import Sessions

SHORT_ID_LENGTH = 8


def short_report_id(report_id: str) -> str:
    """The 8 hex digits moderators type: the end of the id without hyphens, lower case."""
    return report_id.replace("-", "")[-SHORT_ID_LENGTH:].lower()


def report_of(row: ReportRow, resolution: ReportResolutionRow | None, reason: str | None) -> Report:
    return Report(
        id=row.id,
        scope_id=row.scope_id,
        clip_id=row.clip_id,
        delivery_id=row.delivery_id,
        reporter_user_id=row.reporter_user_id,
        reason=reason,
        created_at=row.created_at,
        resolved_at=resolution.resolved_at if resolution else None,
        resolver_user_id=resolution.resolver_user_id if resolution else None,
        resolution=resolution.note if resolution else None,
    )


def _with_resolution() -> Select[tuple[ReportRow, ReportResolutionRow, str]]:
    return (
        select(ReportRow, ReportResolutionRow, ReportReasonRow.reason)
        .outerjoin(ReportResolutionRow, ReportResolutionRow.report_id == ReportRow.id)
        .outerjoin(ReportReasonRow, ReportReasonRow.report_id == ReportRow.id)
    )


class SqlReportRepository:
    """``core.ports.ReportRepository`` on SQL."""

    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    async def add(self, report: Report) -> None:
        """Store an open report (a resolution given here is ignored: use ``resolve``)."""
        async with self._db.write() as session:
            session.add(
                ReportRow(
                    id=report.id,
                    short_id=short_report_id(report.id),
                    scope_id=report.scope_id,
                    clip_id=report.clip_id,
                    delivery_id=report.delivery_id,
                    reporter_user_id=report.reporter_user_id,
                    created_at=report.created_at,
                )
            )
            if report.reason:
                await session.flush()  # the report row first: the reason points at it
                session.add(ReportReasonRow(report_id=report.id, reason=report.reason))

    async def get(self, report_id: str) -> Report | None:
        async with self._db.read() as session:
            found = (await session.execute(_with_resolution().where(ReportRow.id == report_id))).first()
            return None if found is None else report_of(*found)

    async def find(self, scope_id: str, report_id: str) -> Report | None:
        """The scope's report with this id or short id; the newest when short ids collide."""
        wanted = report_id.strip()
        async with self._db.read() as session:
            query = (
                _with_resolution()
                .where(ReportRow.scope_id == scope_id)
                .where(
                    (ReportRow.id == wanted)
                    | (ReportRow.short_id == wanted.replace("-", "").lower())
                )
                .order_by(ReportRow.created_at.desc(), ReportRow.id.desc())
                .limit(1)
            )
            found = (await session.execute(query)).first()
            return None if found is None else report_of(*found)

    async def list_open(self, scope_id: str, limit: int = 20) -> list[Report]:
        """The scope's unresolved reports, newest first."""
        async with self._db.read() as session:
            rows = await session.execute(
                _with_resolution()
                .where(ReportRow.scope_id == scope_id, ReportResolutionRow.report_id.is_(None))
                .order_by(ReportRow.created_at.desc(), ReportRow.id.desc())
                .limit(limit)
            )
            return [report_of(row, resolution, reason) for row, resolution, reason in rows]

    async def resolve(
        self, report_id: str, resolver_user_id: str, note: str | None, at: datetime
    ) -> bool:
        """Close a report; False when it was already closed (the first resolution stands)."""
        try:
            async with self._db.write() as session:
                if await session.get(ReportResolutionRow, report_id) is not None:
                    return False
                session.add(
                    ReportResolutionRow(
                        report_id=report_id,
                        resolver_user_id=resolver_user_id,
                        note=note,
                        resolved_at=at,
                    )
                )
        except IntegrityError:  # a concurrent resolution of the same report won
            return False
        return True
