"""The studio: rights holders' accounts, the parties they act for, their sessions, invitations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.columns import UTCDateTime
from storage.schema.base import ID, Base


class StudioAccountRow(Base):
    __tablename__ = "studio_account"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # login looks it up
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    totp_secret: Mapped[str | None] = mapped_column(String(64))  # two-step login when set


class StudioRecoveryCodeRow(Base):
    """A one-time code that stands in for the authenticator once; only its sha256 is kept."""

    __tablename__ = "studio_recovery_code"

    account_id: Mapped[str] = mapped_column(ForeignKey("studio_account.id"), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StudioMembershipRow(Base):
    """Which parties an account acts for."""

    __tablename__ = "studio_membership"

    account_id: Mapped[str] = mapped_column(ForeignKey("studio_account.id"), primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id"), primary_key=True)


class StudioSessionRow(Base):
    """A logged-in browser: the sha256 of its cookie's random id, never the id itself."""

    __tablename__ = "studio_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("studio_account.id"), index=True)  # log out everywhere
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StudioInviteRow(Base):
    __tablename__ = "studio_invite"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
