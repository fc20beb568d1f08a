"""One-time notices to a user (a takedown of their clip…), shown the next time they talk to Refrain.

Kept in the append-only audit log under the user's own scope (``user:<id>``):
a ``notice`` entry says it, a ``notice-read`` entry (detail = the notice id)
marks it shown. No table to migrate, no row ever updated, and it works when
the notice is raised by another process (the CLI) than the one the user
talks to (a bot).
"""

from __future__ import annotations

from core.ids import new_id
from core.model import AuditEntry
from core.ports import AuditLog, Clock

NOTICE = "notice"
NOTICE_READ = "notice-read"
LOOKBACK = 50


def user_scope(user_id: str) -> str:
    return f"user:{user_id}"


async def notify(audit: AuditLog, clock: Clock, user_id: str, text: str, actor: str) -> None:
    await audit.append(
        AuditEntry(new_id(), user_scope(user_id), actor, NOTICE, text, clock.now())
    )


async def take_unread(audit: AuditLog, clock: Clock, user_id: str) -> list[str]:
    """The user's unread notices, oldest first, marked read as they are returned."""
    entries = await audit.list(user_scope(user_id), limit=LOOKBACK)
    read = {e.detail for e in entries if e.action == NOTICE_READ}
    unread = [e for e in entries if e.action == NOTICE and e.id not in read]
    for entry in unread:
        await audit.append(
            AuditEntry(new_id(), user_scope(user_id), user_id, NOTICE_READ, entry.id, clock.now())
        )
    return [e.detail for e in sorted(unread, key=lambda e: e.at)]
