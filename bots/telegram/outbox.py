"""Every call to Telegram goes through here: flood limits, 429s, blocked users, network errors.

Telegram allows about 20 messages a minute in a group and one a second in a
private chat, and answers a 429 with how long to wait. The outbox keeps
under those limits itself, waits out a 429 and tries again, retries network
errors with exponential backoff, and treats ``Forbidden`` (the user blocked
the bot, it was removed from the group) as final: logged once, never
retried, so a blocked chat cannot start a retry storm. Callers get ``None``
when a call was given up; nothing in core depends on a message arriving.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bots.telegram.chats import is_group, redact
from config.telegram import TelegramSettings

log = logging.getLogger(__name__)

T = TypeVar("T")

_WINDOW_S = 60.0
_BLOCKED_FOR_S = 3600.0  # a chat that answered Forbidden is skipped for an hour


def retry_after_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class ChatRate:
    """A sliding window of send times for one chat."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self.sent: deque[float] = deque()

    def wait_s(self, now: float) -> float:
        while self.sent and self.sent[0] <= now - self.window_s:
            self.sent.popleft()
        if len(self.sent) < self.limit:
            return 0.0
        return self.sent[0] + self.window_s - now


class Outbox:
    """Rate-limited, retrying calls to the Bot API, per chat."""

    def __init__(
        self,
        settings: TelegramSettings,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._sleep = sleep
        self._rates: dict[int, ChatRate] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._blocked: dict[int, float] = {}
        self.given_up = 0

    def blocked(self, chat_id: int) -> bool:
        until = self._blocked.get(chat_id)
        if until is None:
            return False
        if until < self._clock():
            del self._blocked[chat_id]
            return False
        return True

    def _rate(self, chat_id: int) -> ChatRate:
        rate = self._rates.get(chat_id)
        if rate is None:
            if is_group(chat_id):
                rate = ChatRate(self._settings.group_messages_per_minute, _WINDOW_S)
            else:
                per_minute = max(1, int(self._settings.private_messages_per_second * _WINDOW_S))
                rate = ChatRate(per_minute, _WINDOW_S)
            self._rates[chat_id] = rate
        return rate

    def has_room(self, chat_id: int) -> bool:
        """Whether a call to ``chat_id`` could go now without waiting (for optional edits)."""
        return self._rate(chat_id).wait_s(self._clock()) <= 0

    async def _take_slot(self, chat_id: int) -> None:
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        async with lock:
            rate = self._rate(chat_id)
            while (wait := rate.wait_s(self._clock())) > 0:
                await self._sleep(wait)
            rate.sent.append(self._clock())

    async def call(
        self, chat_id: int | None, what: str, make: Callable[[], Awaitable[T]], *, counted: bool = True
    ) -> T | None:
        """Run ``make()`` (one Bot API call) within the limits; ``None`` when given up.

        ``chat_id`` is the chat whose limits apply (``None``: answers to callback
        and inline queries, which are not messages in a chat).
        """
        if chat_id is not None and self.blocked(chat_id):
            log.info("skipping %s to chat %s: it blocked the bot", what, redact(chat_id))
            return None
        network_failures = 0
        while True:
            if chat_id is not None and counted:
                await self._take_slot(chat_id)
            try:
                return await make()
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                if wait > self._settings.max_retry_after_s:
                    log.warning("%s: Telegram asks to wait %.0f s; giving up this call", what, wait)
                    self.given_up += 1
                    return None
                log.info("%s: flood control, waiting %.1f s", what, wait)
                await self._sleep(wait)
            except Forbidden as exc:
                if chat_id is not None:
                    self._blocked[chat_id] = self._clock() + _BLOCKED_FOR_S
                log.warning("%s: forbidden in chat %s (%s); not retrying", what, redact(chat_id), exc)
                self.given_up += 1
                return None
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return None
                log.warning("%s: Telegram refused it: %s", what, exc)
                self.given_up += 1
                return None
            except (TimedOut, NetworkError) as exc:
                network_failures += 1
                if network_failures > self._settings.network_retries:
                    log.error("%s: network errors, giving up after %d tries: %s",
                              what, network_failures, exc)
                    self.given_up += 1
                    return None
                backoff = min(30.0, 0.5 * 2 ** (network_failures - 1)) * (0.5 + random.random())
                log.info("%s: network error (%s), retrying in %.1f s", what, exc, backoff)
                await self._sleep(backoff)
            except TelegramError as exc:  # ChatMigrated, Conflict…: nothing a retry would fix
                log.warning("%s: %s", what, exc)
                self.given_up += 1
                return None
