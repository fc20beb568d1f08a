"""The render cache's index: render key → mastered audio already in the blob store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from core.ports import CachedRender
from storage.schema import RenderCacheRow
from storage.sessions import Sessions


class SqlRenderCache:
    """``core.ports.RenderCache`` on SQL; the bytes live in the blob store."""

    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    async def get(self, key: str, at: datetime) -> CachedRender | None:
        async with self._db.read() as session:
            row = await session.get(RenderCacheRow, key)
            if row is None:
                return None
            found = CachedRender(row.master_sha256, row.duration_s)
        async with self._db.write() as session:  # least-recently-used bookkeeping
            await session.execute(
                update(RenderCacheRow).where(RenderCacheRow.key == key).values(last_used_at=at)
            )
        return found

    async def put(self, key: str, render: CachedRender, at: datetime) -> None:
        """Remember a master; a concurrent put of the same key keeps the first (same audio)."""
        try:
            async with self._db.write() as session:
                existing = await session.get(RenderCacheRow, key)
                if existing is not None:
                    existing.master_sha256 = render.master_sha256
                    existing.duration_s = render.duration_s
                    existing.last_used_at = at
                    return
                session.add(
                    RenderCacheRow(
                        key=key,
                        master_sha256=render.master_sha256,
                        duration_s=render.duration_s,
                        created_at=at,
                        last_used_at=at,
                    )
                )
        except IntegrityError:
            return

    async def forget(self, key: str) -> None:
        async with self._db.write() as session:
            await session.execute(delete(RenderCacheRow).where(RenderCacheRow.key == key))
