"""Server-side state of inline buttons, behind short ids that fit in ``callback_data``.

Telegram gives a button 64 bytes of ``callback_data``, and a Refrain button
carries a whole command (``cover "Golden Hour" by Mira Vale style:lofi``).
So the command stays here and the button carries ``b:<12 random chars>``.
The state lives in memory with an expiry (``button_ttl_s``) and a size cap:
after a restart or expiry a button answers "this button has expired" and
says what to type instead, which loses nothing a user cannot redo in one
message. The random id also means a forged or guessed ``callback_data``
matches nothing.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from core.model import Origin

PREFIX = "b:"
_ID_BYTES = 9  # 12 url-safe characters


@dataclass(frozen=True)
class StoredButton:
    """What one button does: the command it runs in its chat, and how a clip it yields arrived."""

    command: str
    chat_id: int
    origin: Origin
    created_at: float


class ButtonStore:
    """In-memory, expiring map from short ids to button commands."""

    def __init__(
        self, ttl_s: float, max_entries: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl_s = ttl_s
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, StoredButton] = OrderedDict()

    def put(self, command: str, chat_id: int, origin: Origin = Origin.BUTTON) -> str:
        """Remember ``command`` and return the ``callback_data`` for its button."""
        self._expire()
        key = secrets.token_urlsafe(_ID_BYTES)
        self._entries[key] = StoredButton(command, chat_id, origin, self._clock())
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
        return PREFIX + key

    def get(self, data: str | None, chat_id: int | None) -> StoredButton | None:
        """The button behind ``data`` pressed in ``chat_id``; ``None`` if unknown, expired or moved."""
        if not data or not data.startswith(PREFIX) or len(data) > 64:
            return None
        self._expire()
        entry = self._entries.get(data[len(PREFIX) :])
        if entry is None or entry.chat_id != chat_id:
            return None
        return entry

    def __len__(self) -> int:
        return len(self._entries)

    def _expire(self) -> None:
        cutoff = self._clock() - self._ttl_s
        while self._entries:
            key, oldest = next(iter(self._entries.items()))
            if oldest.created_at >= cutoff:
                return
            del self._entries[key]
