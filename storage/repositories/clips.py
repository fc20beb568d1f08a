"""Clips: what was rendered, from what, under which license version, for whom."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from core.model import Clip, Transformation
from storage.schema import ClipRow, DeliveryRow
from storage.sessions import Sessions


def clip_row(clip: Clip) -> ClipRow:
    return ClipRow(
        id=clip.id,
        request_id=clip.request_id,
        recording_id=clip.recording_id,
        transformation=clip.transformation.value,
        style=clip.style,
        voice_model_id=clip.voice_model_id,
        license_id=clip.license_id,
        license_version=clip.license_version,
        requester_id=clip.requester_id,
        audio_sha256=clip.audio_sha256,
        duration_s=clip.duration_s,
        watermark_token=clip.watermark_token,
        created_at=clip.created_at,
    )


def clip_of(row: ClipRow) -> Clip:
    return Clip(
        id=row.id,
        request_id=row.request_id,
        recording_id=row.recording_id,
        transformation=Transformation(row.transformation),
        style=row.style,
        voice_model_id=row.voice_model_id,
        license_id=row.license_id,
        license_version=row.license_version,
        requester_id=row.requester_id,
        audio_sha256=row.audio_sha256,
        duration_s=row.duration_s,
        watermark_token=row.watermark_token,
        created_at=row.created_at,
    )


class SqlClipRepository:
    """``core.ports.ClipRepository`` on SQL."""

    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    async def add(self, clip: Clip) -> None:
        """Store a clip; adding the same clip id again is a no-op (jobs may run twice)."""
        async with self._db.write() as session:
            if await session.get(ClipRow, clip.id) is None:
                session.add(clip_row(clip))

    async def get(self, clip_id: str) -> Clip | None:
        async with self._db.read() as session:
            row = await session.get(ClipRow, clip_id)
            return None if row is None else clip_of(row)

    async def for_request(self, request_id: str) -> Clip | None:
        async with self._db.read() as session:
            row = (
                await session.scalars(select(ClipRow).where(ClipRow.request_id == request_id))
            ).first()
            return None if row is None else clip_of(row)

    async def list_for_requester(self, user_id: str, limit: int) -> list[Clip]:
        async with self._db.read() as session:
            rows = await session.scalars(
                select(ClipRow)
                .where(ClipRow.requester_id == user_id)
                .order_by(ClipRow.created_at.desc(), ClipRow.id.desc())
                .limit(limit)
            )
            return [clip_of(row) for row in rows]

    async def popular(self, limit: int) -> list[Clip]:
        async with self._db.read() as session:
            deliveries = func.count(DeliveryRow.id)
            rows = await session.execute(
                select(ClipRow, deliveries)
                .join(DeliveryRow, DeliveryRow.clip_id == ClipRow.id)
                .group_by(ClipRow.id)
                .order_by(deliveries.desc(), ClipRow.id)
                .limit(limit)
            )
            return [clip_of(row) for row, _ in rows.all()]

    async def audio_refs(self) -> list[tuple[str, datetime]]:
        """(audio sha256, newest clip time) for every clip file, for blob retention."""
        async with self._db.read() as session:
            rows = await session.execute(
                select(ClipRow.audio_sha256, func.max(ClipRow.created_at)).group_by(
                    ClipRow.audio_sha256
                )
            )
            return [(sha, created) for sha, created in rows.all()]
