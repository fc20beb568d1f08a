"""Whether a group's plain messages (no ``/``) are read as commands: a Telegram-only switch.

Kept without a table of its own: every change is an audit entry
(``telegram.plain_text.on``/``.off``, which group admins see in ``/audit``
anyway), and the current value is the newest such entry among the chat's
last ``lookback`` audit entries, cached in memory. A chat with more than
``lookback`` later settings changes falls back to the default (off), which
is the safe side: commands always work.
"""

from __future__ import annotations

from datetime import datetime

from core.ids import new_id
from core.model import AuditEntry
from core.ports import AuditLog

ACTION = "telegram.plain_text"


class PlainTextSwitch:
    def __init__(self, audit: AuditLog, lookback: int = 500) -> None:
        self._audit = audit
        self._lookback = lookback
        self._cache: dict[str, bool] = {}

    async def enabled(self, scope_id: str) -> bool:
        cached = self._cache.get(scope_id)
        if cached is not None:
            return cached
        value = False
        for entry in await self._audit.list(scope_id, self._lookback):  # newest first
            if entry.action.startswith(ACTION + "."):
                value = entry.action == f"{ACTION}.on"
                break
        self._cache[scope_id] = value
        return value

    async def set(self, scope_id: str, on: bool, actor_user_id: str, at: datetime) -> None:
        await self._audit.append(
            AuditEntry(
                id=new_id(),
                scope_id=scope_id,
                actor_user_id=actor_user_id,
                action=f"{ACTION}.{'on' if on else 'off'}",
                detail=f"plain-text commands {'on' if on else 'off'} (Telegram)",
                at=at,
            )
        )
        self._cache[scope_id] = on
