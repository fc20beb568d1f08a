"""An in-memory queue: ordered by tier priority, then arrival.

Used by tests of the use cases and by tools that only need the queue's
bookkeeping. The real runners are the embedded queue and arq.
"""

from __future__ import annotations

import itertools

from core.model import RenderRequest


class InMemoryQueue:
    def __init__(self) -> None:
        self._seq = itertools.count()
        self._waiting: dict[str, tuple[int, int]] = {}
        self.cancelled: list[str] = []
        self.down = False

    async def enqueue(self, request: RenderRequest, priority: int) -> None:
        await self.ensure(request, priority)

    async def ensure(self, request: RenderRequest, priority: int) -> bool:
        if self.down:
            raise ConnectionError("queue unreachable")
        if request.id in self._waiting:
            return False
        self._waiting[request.id] = (-priority, next(self._seq))
        return True

    async def cancel(self, request_id: str) -> None:
        self._waiting.pop(request_id, None)
        self.cancelled.append(request_id)

    async def position(self, request_id: str) -> int | None:
        if request_id not in self._waiting:
            return None
        order = sorted(self._waiting, key=self._waiting.__getitem__)
        return order.index(request_id) + 1

    def pop(self) -> str | None:
        """Take the next request id in line (what a worker would run next)."""
        if not self._waiting:
            return None
        first = min(self._waiting, key=self._waiting.__getitem__)
        del self._waiting[first]
        return first
