"""One separation at a time, the most urgent first, each recording once.

A separation takes every core for minutes, so a process runs them one after
another. Fans come first (``FAN_PRIORITY``); stems made ahead of any request
(``WARM_PRIORITY``) wait behind them. A key already waiting is not queued
twice: a second caller shares its result, and a more urgent caller moves it
up (a fan asking for a recording that is queued for warming takes it to the
front). Work already running is shared as it is.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

FAN_PRIORITY = 0
WARM_PRIORITY = 10


@dataclass
class _Entry(Generic[T]):
    priority: int
    work: Callable[[], Awaitable[T]]
    result: asyncio.Future[T] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    started: bool = False


class SeparationQueue(Generic[T]):
    """Keyed work run one at a time, lowest priority number first (ties: first come)."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry[T]] = {}
        self._heap: list[tuple[int, int, str]] = []
        self._order = itertools.count()
        self._runner: asyncio.Task[None] | None = None

    async def run(self, key: str, priority: int, work: Callable[[], Awaitable[T]]) -> T:
        """``work()``'s result, run once for ``key`` however many callers ask meanwhile.

        The work is shielded: a caller that gives up does not cancel it for others.
        """
        entry = self._entries.get(key)
        if entry is None:
            entry = _Entry(priority, work)
            self._entries[key] = entry
            self._push(key, priority)
        elif not entry.started and priority < entry.priority:
            entry.priority = priority
            self._push(key, priority)
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run_all(), name="separation-queue")
        return await asyncio.shield(entry.result)

    def holds(self, key: str) -> bool:
        """Whether ``key`` is waiting or running."""
        return key in self._entries

    def waiting(self) -> list[str]:
        """Keys not yet started, in the order they will run."""
        live = {k: e for k, e in self._entries.items() if not e.started}
        ordered = sorted((p, seq, k) for p, seq, k in self._heap
                         if k in live and live[k].priority == p)
        return [k for _, _, k in ordered]

    def _push(self, key: str, priority: int) -> None:
        heapq.heappush(self._heap, (priority, next(self._order), key))

    def _next(self) -> tuple[str, _Entry[T]] | None:
        while self._heap:
            priority, _, key = heapq.heappop(self._heap)
            entry = self._entries.get(key)
            if entry is not None and not entry.started and entry.priority == priority:
                return key, entry
        return None

    async def _run_all(self) -> None:
        while (chosen := self._next()) is not None:
            key, entry = chosen
            entry.started = True
            try:
                entry.result.set_result(await entry.work())
            except asyncio.CancelledError:
                entry.result.cancel()
                raise
            except Exception as exc:  # handed to every caller through the future
                entry.result.set_exception(exc)
                entry.result.exception()  # retrieved: callers that gave up do not warn
                log.debug("work for %s failed", key, exc_info=exc)
            finally:
                del self._entries[key]
