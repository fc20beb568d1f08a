"""The tables, as SQLAlchemy declarative models.

Rows are storage's private business: repositories turn them into the frozen
domain values of ``core.model`` and back, so nothing above ``storage`` sees a
row. Enums are stored as their string values (portable, readable in SQL);
fractions as an exact integer numerator/denominator pair; times as UTC.

Every constraint has a name (``NAMING`` below) so Alembic can compare the
models with the migrations and alter SQLite tables in batch mode.
Indexes follow the queries the use cases make; each says which.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.columns import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(64)
CODE = String(32)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# -- catalog ------------------------------------------------------------------------------
class PartyRow(Base):
    __tablename__ = "party"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(CODE)
    ipi: Mapped[str | None] = mapped_column(String(16))
    payout_currency: Mapped[str] = mapped_column(String(3))
    independent: Mapped[bool] = mapped_column(Boolean)


class WorkRow(Base):
    __tablename__ = "work"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    iswc: Mapped[str] = mapped_column(String(20), unique=True)


class RecordingRow(Base):
    __tablename__ = "recording"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    work_id: Mapped[str] = mapped_column(ForeignKey("work.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    artist: Mapped[str] = mapped_column(Text)
    isrc: Mapped[str] = mapped_column(String(20), unique=True)
    duration_s: Mapped[float] = mapped_column(Float)
    audio_sha256: Mapped[str | None] = mapped_column(String(64))
    stems: Mapped[dict[str, Any]] = mapped_column(JSON)  # stem name -> blob sha256
    aliases: Mapped[list[str]] = mapped_column(JSON)
    explicit: Mapped[bool] = mapped_column(Boolean, server_default=false())


class ShareRow(Base):
    """One party's fraction of one right in a subject (work, recording or voice model)."""

    __tablename__ = "share"
    __table_args__ = (
        # shares_for(subject) and "replace the shares of a subject" on import
        Index("ix_share_subject", "subject_kind", "subject_id"),
        CheckConstraint("denominator > 0 AND numerator >= 0", name="fraction"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_kind: Mapped[str] = mapped_column(CODE)
    subject_id: Mapped[str] = mapped_column(ID)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id"), index=True)
    right: Mapped[str] = mapped_column(CODE)
    numerator: Mapped[int] = mapped_column(BigInteger)
    denominator: Mapped[int] = mapped_column(BigInteger)
    territory: Mapped[str] = mapped_column(String(8))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class LicenseVersionRow(Base):
    """One immutable version of a recording's license terms.

    Only ``revoked_at`` may ever change; a trigger from the migration enforces it.
    """

    __tablename__ = "license_version"
    __table_args__ = (
        # current_license(recording): the highest version of the recording
        Index("ix_license_version_recording", "recording_id", "version"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[str] = mapped_column(ForeignKey("recording.id"))
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)  # see storage.terms_codec
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OptDeclarationRow(Base):
    __tablename__ = "opt_declaration"
    __table_args__ = (Index("ix_opt_declaration_subject", "subject_kind", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_kind: Mapped[str] = mapped_column(CODE)
    subject_id: Mapped[str] = mapped_column(ID)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id"), index=True)
    opted_in: Mapped[bool] = mapped_column(Boolean)
    # JSON lists; NULL means "not limited"
    transformations: Mapped[list[str] | None] = mapped_column(JSON)
    styles: Mapped[list[str] | None] = mapped_column(JSON)
    territories: Mapped[list[str] | None] = mapped_column(JSON)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VoiceModelRow(Base):
    __tablename__ = "voice_model"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    owner_party_id: Mapped[str] = mapped_column(ForeignKey("party.id"), index=True)
    consent_document_sha256: Mapped[str] = mapped_column(String(64))
    consent_scope: Mapped[str] = mapped_column(Text)
    consent_signed_on: Mapped[date] = mapped_column(Date)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# -- people and places --------------------------------------------------------------------
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


# -- quota ledger -------------------------------------------------------------------------
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


# -- requests and clips -------------------------------------------------------------------
class RenderRequestRow(Base):
    __tablename__ = "render_request"
    __table_args__ = (
        ForeignKeyConstraint(
            ["license_id", "license_version"], ["license_version.id", "license_version.version"]
        ),
        # last_created_at(user, scope) for cooldowns
        Index("ix_render_request_user_scope_created", "user_id", "scope_id", "created_at"),
        # list_for_user, newest first
        Index("ix_render_request_user_created", "user_id", "created_at"),
        # list_in_states (restart recovery, queue listing)
        Index("ix_render_request_state_created", "state", "created_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # the last 8 hex digits of the id, which users quote ("status 0a1b2c3d")
    short_id: Mapped[str] = mapped_column(String(8), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    scope_id: Mapped[str] = mapped_column(String(128))
    channel_id: Mapped[str | None] = mapped_column(String(128))
    transformation: Mapped[str] = mapped_column(CODE)
    recording_id: Mapped[str] = mapped_column(ForeignKey("recording.id"), index=True)
    style: Mapped[str] = mapped_column(String(64))
    voice_model_id: Mapped[str | None] = mapped_column(ForeignKey("voice_model.id"))
    seconds: Mapped[int] = mapped_column(Integer)
    license_id: Mapped[str] = mapped_column(ID)
    license_version: Mapped[int] = mapped_column(Integer)
    territory: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(CODE)
    progress: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    # 0 for a plain request; "regenerate" asks for the next variation (new seed, new render)
    variation: Mapped[int] = mapped_column(Integer, server_default="0")
    # no foreign key: clip.request_id already points here, and a cycle would
    # make both rows impossible to insert without deferred constraints
    clip_id: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # how many times a worker claimed it (a try that only met an outage gives its count back)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    # the claim of the worker rendering it; renewed while it runs, so a dead worker's ends soon
    lease_token: Mapped[str | None] = mapped_column(ID)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the requester's own watermarked copy, recorded in the same transaction as DELIVERED
    delivery_id: Mapped[str | None] = mapped_column(ID)
    delivery_format: Mapped[str | None] = mapped_column(String(8))
    # how it was asked for (a command, a button), which the requester's copy records
    origin: Mapped[str] = mapped_column(CODE, server_default="COMMAND")


class ClipRow(Base):
    __tablename__ = "clip"
    __table_args__ = (
        ForeignKeyConstraint(
            ["license_id", "license_version"], ["license_version.id", "license_version.version"]
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # one clip per request (for_request); a regenerate is a new request
    request_id: Mapped[str] = mapped_column(ForeignKey("render_request.id"), unique=True)
    recording_id: Mapped[str] = mapped_column(ForeignKey("recording.id"), index=True)
    transformation: Mapped[str] = mapped_column(CODE)
    style: Mapped[str] = mapped_column(String(64))
    voice_model_id: Mapped[str | None] = mapped_column(ForeignKey("voice_model.id"), index=True)
    license_id: Mapped[str] = mapped_column(ID)
    license_version: Mapped[int] = mapped_column(Integer)
    requester_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    # `refrain trace` matches an unmodified copy by its hash
    audio_sha256: Mapped[str] = mapped_column(String(64), index=True)
    duration_s: Mapped[float] = mapped_column(Float)
    watermark_token: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeliveryRow(Base):
    """One hand-over of a clip (to a chat, a user, a file): its own token and file."""

    __tablename__ = "delivery"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    clip_id: Mapped[str] = mapped_column(ForeignKey("clip.id"), index=True)
    # the 64-bit watermark token as 16 hex digits (portable: no unsigned 64-bit in SQL)
    token: Mapped[str] = mapped_column(String(16), unique=True)
    key_id: Mapped[str] = mapped_column(String(32))
    recipient_user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str | None] = mapped_column(String(128))
    origin: Mapped[str] = mapped_column(CODE)
    fmt: Mapped[str] = mapped_column(String(8))
    # `trace` matches an unmodified copy exactly by this hash
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    share_id: Mapped[str] = mapped_column(String(32), unique=True)
    platform_file_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # when a chat (or the CLI) got this copy; the requester's copy is made before that
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TakedownRow(Base):
    """A withdrawn clip; the first takedown stands (append-only)."""

    __tablename__ = "takedown"

    clip_id: Mapped[str] = mapped_column(ForeignKey("clip.id"), primary_key=True)
    why: Mapped[str] = mapped_column(Text)
    actor_user_id: Mapped[str] = mapped_column(ID)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class RenderCacheRow(Base):
    """Mastered audio already rendered for a (recording, style, voice, section, length, variation)."""

    __tablename__ = "render_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    master_sha256: Mapped[str] = mapped_column(String(64), index=True)
    duration_s: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ChatButtonRow(Base):
    """A chat button's command behind its short key (``core.ports.ButtonState``); expires."""

    __tablename__ = "chat_button"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    platform: Mapped[str] = mapped_column(CODE)
    chat_id: Mapped[str] = mapped_column(String(64))
    command: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(CODE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class MaintenanceLeaseRow(Base):
    """Who runs a periodic chore (the recovery sweep) until when: one instance at a time."""

    __tablename__ = "maintenance_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


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


metadata = Base.metadata
import storage.schema_royalties  # noqa: E402
import storage.schema_voice  # noqa: E402,F401
