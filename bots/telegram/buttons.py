"""Inline buttons' commands, behind short ids that fit in ``callback_data``.

Telegram gives a button 64 bytes of ``callback_data``, and a Refrain button
carries a whole command (``cover "Golden Hour" by Mira Vale style:lofi``).
So the command is stored (``Stores.buttons``) and the button carries
``b:<12 random chars>``: buttons keep working after a restart or a deploy,
and on any instance of the bot. A bounded cache in front saves the database
read for the buttons pressed most, the fresh ones. A button older than
``button_ttl_s``, pressed in another chat, forged or guessed matches nothing
and answers "this button has expired" with what to type instead.

A reply waits for its buttons to be stored (one short write each), so a
button is never shown before it would work on another instance. If the
database refuses the write, the reply goes out anyway and the button works
from the cache until the process restarts.
"""

from __future__ import annotations

import logging
import secrets
from collections import OrderedDict
from datetime import timedelta

from core.model import Origin
from core.ports import ButtonState, ButtonStates, Clock

log = logging.getLogger(__name__)

PREFIX = "b:"
PLATFORM = "telegram"
_ID_BYTES = 9  # 12 url-safe characters
_PURGE_EVERY = timedelta(hours=1)


class ButtonStore:
    """Short ids → button commands: stored, with a bounded cache of the newest in front."""

    def __init__(self, states: ButtonStates, clock: Clock, ttl_s: float, max_cached: int) -> None:
        self._states = states
        self._clock = clock
        self._ttl = timedelta(seconds=ttl_s)
        self._max = max_cached
        self._cache: OrderedDict[str, ButtonState] = OrderedDict()
        self._purged_at = clock.now()

    async def put(self, command: str, chat_id: int, origin: Origin = Origin.BUTTON) -> str:
        """Remember ``command`` for a button in ``chat_id``; returns its ``callback_data``."""
        now = self._clock.now()
        key = secrets.token_urlsafe(_ID_BYTES)
        state = ButtonState(key, PLATFORM, str(chat_id), command, origin, now)
        self._cache[key] = state
        while len(self._cache) > self._max:
            self._cache.popitem(last=False)
        try:
            await self._states.put(state)
        except Exception:
            log.warning("could not store a button's command; it works until a restart", exc_info=True)
        if now - self._purged_at >= _PURGE_EVERY:
            self._purged_at = now
            try:
                await self._states.purge(now - self._ttl)
            except Exception:
                log.warning("could not forget expired buttons; will try again", exc_info=True)
        return PREFIX + key

    async def get(self, data: str | None, chat_id: int | None) -> ButtonState | None:
        """The button behind ``data`` pressed in ``chat_id``; ``None`` if unknown, expired or moved."""
        if not data or not data.startswith(PREFIX) or len(data) > 64 or chat_id is None:
            return None
        key = data[len(PREFIX) :]
        state = self._cache.get(key)
        if state is None:
            try:
                state = await self._states.get(key)
            except Exception:
                log.warning("could not read a button's command", exc_info=True)
                return None
        if state is None or state.platform != PLATFORM or state.chat_id != str(chat_id):
            return None
        if self._clock.now() - state.created_at > self._ttl:
            return None
        return state

    def __len__(self) -> int:
        """Buttons in the cache (the stored ones may be more)."""
        return len(self._cache)
