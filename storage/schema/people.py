"""People and places: users, the policies of servers and chats, the quota ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.columns import UTCDateTime
from storage.schema.base import CODE, ID, Base


class UserRow(Base):
    __tablename__ = "app_user"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    platform: Mapped[str] = mapped_column(CODE)
    platform_user_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(Text)
    tier: Mapped[str] = mapped_column(CODE)
    country: Mapped[str | None] = mapped_column(String(8))
    terms_version: Mapped[str | None] = mapped_column(CODE)
    terms_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ScopePolicyRow(Base):
    """A guild's or chat's moderator settings; allow-lists are JSON lists, NULL = any."""

    __tablename__ = "scope_policy"

    scope_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    allowed_styles: Mapped[list[str] | None] = mapped_column(JSON)
    allowed_voices: Mapped[list[str] | None] = mapped_column(JSON)
    allowed_channels: Mapped[list[str] | None] = mapped_column(JSON)
    max_clip_seconds: Mapped[int | None] = mapped_column(Integer)
    cooldown_s: Mapped[int] = mapped_column(Integer)
    banned_users: Mapped[list[str]] = mapped_column(JSON)
    pool_seconds_per_day: Mapped[int | None] = mapped_column(Integer)
    default_country: Mapped[str | None] = mapped_column(String(8))
    user_seconds_per_day: Mapped[int | None] = mapped_column(Integer)  # per member, per UTC day
    nsfw_filter: Mapped[bool] = mapped_column(Boolean, server_default=false())


class QuotaAccountRow(Base):
    """One row per quota account, so PostgreSQL can lock it (SELECT … FOR UPDATE).

    The balance is never stored here: it is the sum of the account's entries.
    """

    __tablename__ = "quota_account"

    account: Mapped[str] = mapped_column(String(160), primary_key=True)


class QuotaEntryRow(Base):
    """Append-only: triggers and ``storage.append_only`` refuse UPDATE and DELETE."""

    __tablename__ = "quota_entry"
    __table_args__ = (
        # used_seconds(account, period_start)
        Index("ix_quota_entry_account_period", "account", "period_start"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account: Mapped[str] = mapped_column(ForeignKey("quota_account.account"))
    # settling a request's reservations on transition; user export
    request_id: Mapped[str] = mapped_column(ForeignKey("render_request.id"), index=True)
    kind: Mapped[str] = mapped_column(CODE)
    seconds: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    at: Mapped[datetime] = mapped_column(UTCDateTime())
