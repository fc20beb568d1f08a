"""Protection of the bot itself: duplicate gateway events and command floods.

Discord may deliver an interaction twice (a RESUME replays what the bot had
not acknowledged); the second copy must do nothing, and the core is
idempotent on the interaction id besides. A user firing commands in a loop
gets one "slow down" and nothing runs, so nothing is charged.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable


class SeenIds:
    """The ids handled recently (bounded), to drop replays."""

    def __init__(self, keep: int = 10_000) -> None:
        self._ids: OrderedDict[int, None] = OrderedDict()
        self._keep = keep

    def first_time(self, ident: int) -> bool:
        if ident in self._ids:
            return False
        self._ids[ident] = None
        while len(self._ids) > self._keep:
            self._ids.popitem(last=False)
        return True


class FloodGuard:
    """At most ``limit`` commands per user in any ``window`` seconds."""

    def __init__(self, limit: int, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._recent: dict[int, deque[float]] = {}

    def allow(self, user_id: int) -> float | None:
        """None when the command may run, else the seconds until it could."""
        now = self._clock()
        recent = self._recent.setdefault(user_id, deque())
        while recent and now - recent[0] >= self._window:
            recent.popleft()
        if len(recent) >= self._limit:
            return max(1.0, self._window - (now - recent[0]))
        recent.append(now)
        if len(self._recent) > 50_000:  # forget idle users
            for user in [u for u, q in self._recent.items() if not q]:
                del self._recent[user]
        return None
