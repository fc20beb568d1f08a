"""In-process job events: the embedded queue's notifier, with subscriptions.

Adapters subscribe to the request ids they are waiting on and edit their
messages; on arq the same events travel over Redis pub/sub.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core.ports import JobEvent

log = logging.getLogger(__name__)


class LocalEventBus:
    def __init__(self) -> None:
        self._subscribers: list[asyncio.Queue[JobEvent]] = []

    async def publish(self, event: JobEvent) -> None:
        for queue in list(self._subscribers):
            queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[JobEvent]]:
        """Every event published while the context is open lands in the returned queue."""
        queue: asyncio.Queue[JobEvent] = asyncio.Queue()
        self._subscribers.append(queue)
        try:
            yield queue
        finally:
            self._subscribers.remove(queue)
