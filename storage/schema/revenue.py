"""Tables of fans' payments: the revenue ledger, conversion rates, grants, pool bases.

``revenue_entry``, ``revenue_leg``, ``revenue_rate`` and ``run_pool_basis`` are
records of what happened and append-only (triggers plus
``storage.append_only``): a refund is a new entry whose legs negate the
payment's. ``tier_grant`` is state, not a record: a refund or a deleted
entitlement sets its ``ended_at``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.columns import UTCDateTime
from storage.schema.base import CODE, ID, Base
from storage.schema.royalties import PERIOD

EXTERNAL_ID = String(200)
SUBJECT = String(80)  # user:<id> or scope:<id>


class RevenueEntryRow(Base):
    """One payment, renewal, refund or chargeback, as its platform reported it."""

    __tablename__ = "revenue_entry"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(CODE)
    platform: Mapped[str] = mapped_column(CODE)
    external_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    payer: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    plan_id: Mapped[str] = mapped_column(CODE)
    currency: Mapped[str] = mapped_column(String(3))
    gross_micros: Mapped[int] = mapped_column(BigInteger)
    fee_micros: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    service_start: Mapped[datetime] = mapped_column(UTCDateTime())
    service_days: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(SUBJECT)
    refers_to: Mapped[str | None] = mapped_column(ForeignKey("revenue_entry.id"), unique=True)


class RevenueLegRow(Base):
    """One leg of an entry, in micro-units of its currency, in the period it is accounted in."""

    __tablename__ = "revenue_leg"
    __table_args__ = (Index("ix_revenue_leg_period_account", "period", "account"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    entry_id: Mapped[str] = mapped_column(ForeignKey("revenue_entry.id"), index=True)
    account: Mapped[str] = mapped_column(CODE)
    period: Mapped[str] = mapped_column(PERIOD)
    currency: Mapped[str] = mapped_column(String(3))
    amount_micros: Mapped[int] = mapped_column(BigInteger)


class RevenueRateRow(Base):
    """A conversion rate the operator set, in force from ``valid_from`` (newest set wins a tie)."""

    __tablename__ = "revenue_rate"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    pool_currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[date] = mapped_column(Date)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TierGrantRow(Base):
    """A paid tier (or a server's pool) for a service window; ``source`` is what paid for it."""

    __tablename__ = "tier_grant"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    subject: Mapped[str] = mapped_column(SUBJECT, index=True)
    tier: Mapped[str] = mapped_column(CODE)
    plan_id: Mapped[str] = mapped_column(CODE)
    source: Mapped[str] = mapped_column(EXTERNAL_ID, unique=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RunPoolBasisRow(Base):
    """The revenue basis of a run whose pool was computed from revenue."""

    __tablename__ = "run_pool_basis"

    run_id: Mapped[str] = mapped_column(ForeignKey("allocation_run.id"), primary_key=True)
    period: Mapped[str] = mapped_column(PERIOD)
    currency: Mapped[str] = mapped_column(String(3))
    net_micros: Mapped[int] = mapped_column(BigInteger)
    share: Mapped[str] = mapped_column(String(40))
    pool_micros: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[str] = mapped_column(Text)  # canonical JSON: one object per currency


REVENUE_RECORDS = ("revenue_entry", "revenue_leg", "revenue_rate", "run_pool_basis")
"""Append-only (UPDATE and DELETE refused by triggers and by ``storage.append_only``)."""
