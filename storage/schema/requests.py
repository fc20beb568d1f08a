"""Requests and what they make: render requests, clips, deliveries, takedowns, caches,
chat buttons and the leases of periodic chores."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.columns import UTCDateTime
from storage.schema.base import CODE, ID, Base


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
