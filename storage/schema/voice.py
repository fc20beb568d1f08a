"""The voice registry's own table: what was learnt from a voice and what its owner consented to.

Kept beside ``voice_model`` (one row each, same id) rather than in it, so the
catalog import, which knows nothing of profiles, never has to. The consent
scope is also in ``voice_model.consent_scope`` as its canonical line (what
the entitlement engine reads); the JSON columns here are the same scope for
queries and reports, written in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.columns import UTCDateTime
from storage.schema.base import Base


class VoiceProfileRow(Base):
    __tablename__ = "voice_profile"

    voice_model_id: Mapped[str] = mapped_column(ForeignKey("voice_model.id"), primary_key=True)
    profile_sha256: Mapped[str] = mapped_column(String(64))
    scope_kinds: Mapped[list[Any]] = mapped_column(JSON)
    scope_styles: Mapped[list[Any] | None] = mapped_column(JSON)  # None: any style
    scope_territories: Mapped[list[Any]] = mapped_column(JSON)
    reference_seconds: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
