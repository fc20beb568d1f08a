"""Chat buttons' commands behind short keys (``core.ports.ButtonStates``) on SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from core.model import Origin
from core.ports import ButtonState
from storage.schema import ChatButtonRow
from storage.sessions import Sessions, rowcount


class SqlButtonStates:
    """One row per button; keys are random, so a put never collides with another's."""

    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    async def put(self, state: ButtonState) -> None:
        async with self._db.write() as session:
            session.add(
                ChatButtonRow(
                    key=state.key,
                    platform=state.platform,
                    chat_id=state.chat_id,
                    command=state.command,
                    origin=state.origin.value,
                    created_at=state.created_at,
                )
            )

    async def get(self, key: str) -> ButtonState | None:
        async with self._db.read() as session:
            row = await session.get(ChatButtonRow, key)
            if row is None:
                return None
            return ButtonState(
                key=row.key,
                platform=row.platform,
                chat_id=row.chat_id,
                command=row.command,
                origin=Origin(row.origin),
                created_at=row.created_at,
            )

    async def purge(self, before: datetime) -> int:
        async with self._db.write() as session:
            result = await session.execute(
                delete(ChatButtonRow)
                .where(ChatButtonRow.created_at < before)
                .execution_options(synchronize_session=False)
            )
            return rowcount(result)
