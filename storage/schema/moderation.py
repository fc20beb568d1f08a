"""Moderation: the audit log and fans' reports (their words erasable apart)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.columns import UTCDateTime
from storage.schema.base import ID, Base


class AuditRow(Base):
    """Moderator actions per scope. Append-only, like the quota ledger."""

    __tablename__ = "audit_log"
    __table_args__ = (
        # list(scope, limit), newest first
        Index("ix_audit_log_scope_at", "scope_id", "at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    scope_id: Mapped[str] = mapped_column(String(128))
    actor_user_id: Mapped[str] = mapped_column(ID, index=True)  # user export
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReportRow(Base):
    """A member's report of a clip. Append-only: resolving adds a ``report_resolution`` row.

    What the member wrote is not here but in ``report_reason``: it is their
    personal data and must go when they ask to be forgotten, while the fact
    that a report was made (and how it was closed) stays on the record.
    """

    __tablename__ = "report"
    __table_args__ = (
        # list_open(scope), newest first
        Index("ix_report_scope_created", "scope_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # find(scope, short id): the last 8 hex digits users type
    short_id: Mapped[str] = mapped_column(String(8), index=True)
    scope_id: Mapped[str] = mapped_column(String(128))
    clip_id: Mapped[str] = mapped_column(ForeignKey("clip.id"), index=True)
    delivery_id: Mapped[str | None] = mapped_column(ForeignKey("delivery.id"))
    reporter_user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReportReasonRow(Base):
    """The reporter's own words for a report; erasable (``users delete``), unlike the report."""

    __tablename__ = "report_reason"

    report_id: Mapped[str] = mapped_column(ForeignKey("report.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)


class ReportResolutionRow(Base):
    """How a report was closed; one per report (the first stands), append-only."""

    __tablename__ = "report_resolution"

    report_id: Mapped[str] = mapped_column(ForeignKey("report.id"), primary_key=True)
    resolver_user_id: Mapped[str] = mapped_column(ID)
    note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime())
