"""The catalog: parties, works, recordings, their shares, licenses, opt declarations, voices."""

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
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.columns import UTCDateTime
from storage.schema.base import CODE, ID, Base


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
