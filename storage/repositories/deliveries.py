"""Deliveries (one watermarked copy per hand-over) and takedowns."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from core.model import Delivery, Origin, Takedown
from storage.schema import DeliveryRow, TakedownRow
from storage.sessions import Sessions


def token_text(token: int) -> str:
    """A 64-bit token as 16 hex digits: SQL has no portable unsigned 64-bit integer."""
    return f"{token:016x}"


def delivery_row(delivery: Delivery) -> DeliveryRow:
    return DeliveryRow(
        id=delivery.id,
        clip_id=delivery.clip_id,
        token=token_text(delivery.token),
        key_id=delivery.key_id,
        recipient_user_id=delivery.recipient_user_id,
        platform=delivery.platform,
        chat_id=delivery.chat_id,
        origin=delivery.origin.value,
        fmt=delivery.fmt,
        sha256=delivery.sha256,
        size_bytes=delivery.size_bytes,
        share_id=delivery.share_id,
        platform_file_id=delivery.platform_file_id,
        created_at=delivery.created_at,
        handed_over_at=delivery.handed_over_at,
    )


def delivery_of(row: DeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        clip_id=row.clip_id,
        token=int(row.token, 16),
        key_id=row.key_id,
        recipient_user_id=row.recipient_user_id,
        platform=row.platform,
        chat_id=row.chat_id,
        origin=Origin(row.origin),
        fmt=row.fmt,
        sha256=row.sha256,
        size_bytes=row.size_bytes,
        share_id=row.share_id,
        platform_file_id=row.platform_file_id,
        created_at=row.created_at,
        handed_over_at=row.handed_over_at,
    )


class SqlDeliveryRepository:
    """``core.ports.DeliveryRepository`` on SQL."""

    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    async def add(self, delivery: Delivery) -> None:
        async with self._db.write() as session:
            session.add(delivery_row(delivery))

    async def get(self, delivery_id: str) -> Delivery | None:
        async with self._db.read() as session:
            row = await session.get(DeliveryRow, delivery_id)
            return None if row is None else delivery_of(row)

    async def by_token(self, token: int) -> Delivery | None:
        return await self._one(DeliveryRow.token == token_text(token))

    async def by_sha256(self, sha256: str) -> Delivery | None:
        return await self._one(DeliveryRow.sha256 == sha256)

    async def by_share_id(self, share_id: str) -> Delivery | None:
        return await self._one(DeliveryRow.share_id == share_id)

    async def for_clip(self, clip_id: str) -> list[Delivery]:
        async with self._db.read() as session:
            rows = await session.scalars(
                select(DeliveryRow)
                .where(DeliveryRow.clip_id == clip_id)
                .order_by(DeliveryRow.created_at, DeliveryRow.id)
            )
            return [delivery_of(row) for row in rows]

    async def set_platform_file_id(self, delivery_id: str, file_id: str) -> None:
        async with self._db.write() as session:
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id)
                .values(platform_file_id=file_id)
            )

    async def mark_handed_over(self, delivery_id: str, at: datetime) -> None:
        async with self._db.write() as session:
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.handed_over_at.is_(None))
                .values(handed_over_at=at)
            )

    async def add_takedown(self, takedown: Takedown) -> bool:
        try:
            async with self._db.write() as session:
                if await session.get(TakedownRow, takedown.clip_id) is not None:
                    return False
                session.add(
                    TakedownRow(
                        clip_id=takedown.clip_id,
                        why=takedown.why,
                        actor_user_id=takedown.actor_user_id,
                        at=takedown.at,
                    )
                )
        except IntegrityError:  # a concurrent takedown of the same clip won
            return False
        return True

    async def takedown_of(self, clip_id: str) -> Takedown | None:
        async with self._db.read() as session:
            row = await session.get(TakedownRow, clip_id)
            if row is None:
                return None
            return Takedown(
                clip_id=row.clip_id, why=row.why, actor_user_id=row.actor_user_id, at=row.at
            )

    async def file_refs(self) -> list[tuple[str, datetime]]:
        async with self._db.read() as session:
            rows = await session.execute(
                select(DeliveryRow.sha256, func.max(DeliveryRow.created_at)).group_by(
                    DeliveryRow.sha256
                )
            )
            return [(sha, created) for sha, created in rows.all()]

    async def _one(self, condition: object) -> Delivery | None:
        async with self._db.read() as session:
            row = (await session.scalars(select(DeliveryRow).where(condition).limit(1))).first()  # type: ignore[arg-type]
            return None if row is None else delivery_of(row)
