"""Who may change a group's settings: its Telegram administrators, asked with getChatMember.

The answer is cached for ``admin_cache_s`` (moderators also skip the
cooldown, so every group command asks). A failed check counts as "not an
admin": refusing a setting is recoverable, granting one by mistake is not.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Bot, ChatMember
from telegram.error import TelegramError

from bots.telegram.chats import is_group, redact

log = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})
GROUP_ANONYMOUS_BOT_ID = 1087968824  # what Telegram shows as sender of an anonymous admin
_MAX_ENTRIES = 10_000


class AdminCache:
    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl_s = ttl_s
        self._clock = clock
        self._known: dict[tuple[int, int], tuple[bool, float]] = {}

    async def is_admin(
        self, bot: Bot, chat_id: int, user_id: int, *, sender_chat_id: int | None = None
    ) -> bool:
        if not is_group(chat_id):
            return False
        if sender_chat_id == chat_id:  # an anonymous admin speaks as the group itself
            return True
        key = (chat_id, user_id)
        cached = self._known.get(key)
        now = self._clock()
        if cached is not None and now - cached[1] < self._ttl_s:
            return cached[0]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
            admin = member.status in ADMIN_STATUSES
        except TelegramError as exc:
            log.warning("getChatMember in chat %s failed (%s): treated as not an admin",
                        redact(chat_id), exc)
            return False
        if len(self._known) >= _MAX_ENTRIES:
            self._known.clear()
        self._known[key] = (admin, now)
        return admin
