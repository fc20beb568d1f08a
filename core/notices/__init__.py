"""One-time notices to a user (a takedown of their clip…), shown the next time they talk to Refrain.

Kept in the append-only audit log under the user's own scope (``user:<id>``):
a ``notice`` entry says it, a ``notice-read`` entry (detail = the notice id)
marks it shown. No table to migrate, no row ever updated, and it works when
the notice is raised by another process (the CLI) than the one the user
talks to (a bot).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.batching import Batcher, Failed
from core.ids import new_id
from core.model import AuditEntry
from core.ports import AuditLog, Clock, UserRepository

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


class NoticeInbox:
    """Every message a user sends checks for their notices; a burst checks them together.

    Notices are rare, so a batch of messages costs one read of the senders
    and one of which of them have any notice at all; only those users'
    entries are read (and marked) one by one.
    """

    def __init__(self, users: UserRepository, audit: AuditLog, clock: Clock) -> None:
        self._users = users
        self._audit = audit
        self._clock = clock
        self._batcher: Batcher[tuple[str, str], list[str]] = Batcher(self._take_many)

    async def take_unread(self, platform: str, platform_user_id: str) -> list[str]:
        """The sender's unread notices (none for someone Refrain has never seen), marked read."""
        return await self._batcher.run((platform, platform_user_id))

    async def _take_many(self, senders: Sequence[tuple[str, str]]) -> list[list[str] | Failed]:
        users = await self._users.find_many(senders)
        scopes = [user_scope(u.id) for u in users.values()]
        with_notices = await self._audit.scopes_with_action(scopes, NOTICE) if scopes else set()
        out: list[list[str] | Failed] = []
        for sender in senders:
            user = users.get(sender)
            if user is None or user_scope(user.id) not in with_notices:
                out.append([])
                continue
            try:
                out.append(await take_unread(self._audit, self._clock, user.id))
            except Exception as exc:  # this sender's notices wait for their next message
                out.append(Failed(exc))
        return out


__all__ = ["LOOKBACK", "NOTICE", "NOTICE_READ", "NoticeInbox", "user_scope"]
