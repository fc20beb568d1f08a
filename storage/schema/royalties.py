"""Tables of plays and royalties (ROYALTIES.md), on the same metadata as ``storage.schema``.

Every table here is a record of what happened and is append-only: the
migration installs triggers that reject UPDATE and DELETE on both backends,
and ``storage.append_only`` refuses them in code first. A run is never
edited: it is reversed by a new posting, and the period-level facts
(closing, reversal) are new rows too.

``play_qualification`` repeats the few facts of its event that allocation
groups by (clip, territory, day, usage…): qualification is computed once
from the event, and allocation then scans one table instead of joining ten
million events.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.columns import UTCDateTime
from storage.schema.base import CODE, ID, Base

PERIOD = String(7)  # YYYY-MM
KEY = String(64)  # listener keys: 64 hex digits of an HMAC


class PlayEventRow(Base):
    """One usage of a clip, exactly as received; ``event_id`` (UUIDv7) is the idempotency key."""

    __tablename__ = "play_event"
    __table_args__ = (
        # qualification and fraud scans: one period, listener by listener, in time order
        Index("ix_play_event_period_listener", "period", "listener_key", "played_at"),
        # the studio's dashboard: a window of hours of some clips, counted by usage and platform
        # from the index alone
        Index("ix_play_event_clip_hour", "clip_id", "play_hour", "usage", "platform"),
    )

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    clip_id: Mapped[str] = mapped_column(ForeignKey("clip.id"), index=True)
    delivery_id: Mapped[str | None] = mapped_column(ID)
    usage: Mapped[str] = mapped_column(CODE)
    listener_key: Mapped[str] = mapped_column(KEY)
    platform: Mapped[str] = mapped_column(String(32))
    origin: Mapped[str] = mapped_column(CODE)
    ms_played: Mapped[int] = mapped_column(Integer)
    territory: Mapped[str] = mapped_column(String(8))
    played_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # the accounting period: the month played, or the next open one if that was closed
    period: Mapped[str] = mapped_column(PERIOD)
    play_hour: Mapped[int] = mapped_column(Integer)  # hours since the epoch (fraud heuristics)


class PlayQualificationRow(Base):
    """The one decision about one event: qualified, or why not."""

    __tablename__ = "play_qualification"
    __table_args__ = (
        # allocation: covers the run's per-clip GROUP BY in its own order, so ten million plays
        # are counted by streaming this index (no sort, no table read); also serves period counts
        Index(
            "ix_play_qualification_allocation",
            "period", "clip_id", "territory", "played_period", "usage", "active", "qualified",
            "play_day",
        ),
        # qualification: the decided plays of a range of listeners (caps span earlier batches)
        Index("ix_play_qualification_listener", "period", "listener_key"),
    )

    event_id: Mapped[str] = mapped_column(ForeignKey("play_event.event_id"), primary_key=True)
    period: Mapped[str] = mapped_column(PERIOD)
    qualified: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(CODE)
    rules_version: Mapped[str] = mapped_column(CODE)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # facts of the event that allocation groups by (copied once, never changed)
    clip_id: Mapped[str] = mapped_column(ID)
    listener_key: Mapped[str] = mapped_column(KEY)
    usage: Mapped[str] = mapped_column(CODE)
    active: Mapped[bool] = mapped_column(Boolean)  # asked for (command/search), not passed on
    territory: Mapped[str] = mapped_column(String(8))
    played_at: Mapped[datetime] = mapped_column(UTCDateTime())
    play_day: Mapped[date] = mapped_column(Date)
    played_period: Mapped[str] = mapped_column(PERIOD)


class FraudFlagRow(Base):
    """A listener whose activity in a period no person could produce."""

    __tablename__ = "fraud_flag"

    period: Mapped[str] = mapped_column(PERIOD, primary_key=True)
    listener_key: Mapped[str] = mapped_column(KEY, primary_key=True)
    hour: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RoyaltyPeriodRow(Base):
    """One row per period that has had a run: PostgreSQL locks it so runs of a period queue."""

    __tablename__ = "royalty_period"

    period: Mapped[str] = mapped_column(PERIOD, primary_key=True)


class PeriodCloseRow(Base):
    """A frozen period: no run or reversal any more; late usage goes to the next period."""

    __tablename__ = "period_close"

    period: Mapped[str] = mapped_column(
        ForeignKey("royalty_period.period"), primary_key=True
    )
    run_id: Mapped[str] = mapped_column(ForeignKey("allocation_run.id"))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AllocationRunRow(Base):
    """One allocation of a period's pool; its id is the hash of all its inputs."""

    __tablename__ = "allocation_run"
    __table_args__ = (Index("ix_allocation_run_period", "period", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[str] = mapped_column(ForeignKey("royalty_period.period"))
    method: Mapped[str] = mapped_column(CODE)
    artist_centric: Mapped[bool] = mapped_column(Boolean)
    pool_micros: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    rules_version: Mapped[str] = mapped_column(CODE)
    attempt: Mapped[int] = mapped_column(Integer)
    events: Mapped[int] = mapped_column(BigInteger)
    qualified: Mapped[int] = mapped_column(BigInteger)
    inputs: Mapped[str] = mapped_column(Text)  # canonical JSON of core.royalties.run_id.RunInputs
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RunReversalRow(Base):
    """A run undone by a reversal posting; a run is reversed at most once."""

    __tablename__ = "run_reversal"

    run_id: Mapped[str] = mapped_column(ForeignKey("allocation_run.id"), primary_key=True)
    posting_id: Mapped[str] = mapped_column(ForeignKey("ledger_posting.id"))
    why: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class LedgerPostingRow(Base):
    """A balanced set of ledger legs: an allocation or the reversal of one."""

    __tablename__ = "ledger_posting"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("allocation_run.id"), index=True)
    kind: Mapped[str] = mapped_column(CODE)
    period: Mapped[str] = mapped_column(PERIOD, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    reverses: Mapped[str | None] = mapped_column(ForeignKey("ledger_posting.id"), unique=True)
    memo: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LedgerEntryRow(Base):
    """One leg of a posting, in micro-units (positive: credit to the account)."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        # statements: one party's legs in one period
        Index("ix_ledger_entry_period_party", "period", "party_id"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    posting_id: Mapped[str] = mapped_column(ForeignKey("ledger_posting.id"), index=True)
    period: Mapped[str] = mapped_column(PERIOD)
    account: Mapped[str] = mapped_column(CODE)
    party_id: Mapped[str | None] = mapped_column(ID)
    right: Mapped[str | None] = mapped_column(CODE)
    recording_id: Mapped[str | None] = mapped_column(ID)
    territory: Mapped[str | None] = mapped_column(String(8))
    played_period: Mapped[str | None] = mapped_column(PERIOD)
    amount_micros: Mapped[int] = mapped_column(BigInteger)


class AllocationUsageRow(Base):
    """Plays and qualified plays a run saw, per recording, territory and played period."""

    __tablename__ = "allocation_usage"

    run_id: Mapped[str] = mapped_column(ForeignKey("allocation_run.id"), primary_key=True)
    recording_id: Mapped[str] = mapped_column(ID, primary_key=True)
    territory: Mapped[str] = mapped_column(String(8), primary_key=True)
    played_period: Mapped[str] = mapped_column(PERIOD, primary_key=True)
    plays: Mapped[int] = mapped_column(BigInteger)
    qualified: Mapped[int] = mapped_column(BigInteger)


ROYALTY_TABLES = (
    "play_event",
    "play_qualification",
    "fraud_flag",
    "royalty_period",
    "period_close",
    "allocation_run",
    "run_reversal",
    "ledger_posting",
    "ledger_entry",
    "allocation_usage",
)
"""All append-only (UPDATE and DELETE refused by triggers and by ``storage.append_only``)."""
