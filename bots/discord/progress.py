"""Follows job events and keeps each request's Discord message up to date.

One subscription to ``app.events`` for the whole bot. Progress edits are
coalesced to at most one per ``interval`` seconds per message (Discord rate
limits edits, and people cannot read faster); the final event (delivered,
failed, cancelled, taken down) is never delayed and never lost: events that
arrive before the adapter registered its message are kept and replayed, and
a delivered request nobody here is waiting for (the bot restarted mid-job)
is delivered to its channel after a short grace period.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol

from bots.discord.courier import Courier, Target
from bots.discord.render import progress_text
from core.ports import JobEvent, JobEventKind

log = logging.getLogger(__name__)

FINAL = frozenset(
    {JobEventKind.DELIVERED, JobEventKind.FAILED, JobEventKind.CANCELLED, JobEventKind.TAKEN_DOWN}
)
_KEEP = 2000


class EventSource(Protocol):
    def subscribe(self) -> AbstractAsyncContextManager[asyncio.Queue[JobEvent]]: ...


Finisher = Callable[[Target, JobEvent], Awaitable[None]]
Recoverer = Callable[[str], Awaitable[Target | None]]


@dataclass
class _Tracked:
    target: Target
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_edit: float = 0.0
    latest: JobEvent | None = None
    flush: asyncio.Task[None] | None = None


class ProgressTracker:
    """Request id → its message; edits it as events come, hands the final event to ``finish``."""

    def __init__(self, events: EventSource, courier: Courier, finish: Finisher,
                 recover: Recoverer, *, interval: float = 2.0, orphan_grace: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._events = events
        self._courier = courier
        self._finish = finish
        self._recover = recover
        self._interval = interval
        self._grace = orphan_grace
        self._clock = clock
        self._tracked: dict[str, _Tracked] = {}
        self._early: OrderedDict[str, JobEvent] = OrderedDict()
        self._finished: OrderedDict[str, None] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name="refrain-discord-progress")
        await asyncio.wait_for(self.subscribed.wait(), 10)

    async def stop(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _run(self) -> None:
        async with self._events.subscribe() as queue:
            self.subscribed.set()
            while True:
                event = await queue.get()
                try:
                    self._on_event(event)
                except Exception:  # one bad event must not stop the others
                    log.exception("job event %s for %s", event.kind.value, event.request_id)

    async def idle(self) -> None:
        """Wait until every running edit and delivery is done (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ---------------------------------------------------------------- registration

    def track(self, target: Target) -> None:
        """Follow ``target.request_id``; events that came before are applied now."""
        if target.request_id in self._finished or target.request_id in self._tracked:
            return
        tracked = _Tracked(target, last_edit=self._clock())
        self._tracked[target.request_id] = tracked
        early = self._early.pop(target.request_id, None)
        if early is not None:
            self._apply(tracked, early)

    def is_tracked(self, request_id: str) -> bool:
        return request_id in self._tracked

    # ---------------------------------------------------------------- events

    def _on_event(self, event: JobEvent) -> None:
        tracked = self._tracked.get(event.request_id)
        if tracked is not None:
            self._apply(tracked, event)
            return
        if event.request_id in self._finished:
            return
        previous = self._early.get(event.request_id)
        if previous is None or previous.kind not in FINAL:
            self._early[event.request_id] = event
            self._early.move_to_end(event.request_id)
        while len(self._early) > _KEEP:
            self._early.popitem(last=False)
        if event.kind is JobEventKind.DELIVERED:
            self._spawn(self._orphan(event.request_id))

    def _apply(self, tracked: _Tracked, event: JobEvent) -> None:
        if event.kind in FINAL:
            self._tracked.pop(event.request_id, None)
            self._mark_finished(event.request_id)
            if tracked.flush is not None:
                tracked.flush.cancel()
            self._spawn(self._final(tracked, event))
            return
        tracked.latest = event
        if tracked.flush is None or tracked.flush.done():
            wait = max(0.0, tracked.last_edit + self._interval - self._clock())
            tracked.flush = self._spawn(self._flush(tracked, wait))

    async def _flush(self, tracked: _Tracked, wait: float) -> None:
        if wait:
            await asyncio.sleep(wait)
        async with tracked.lock:
            event = tracked.latest
            if event is None or tracked.target.request_id not in self._tracked:
                return
            tracked.latest = None
            tracked.last_edit = self._clock()
            text = progress_text(tracked.target.headline, event.stage, event.percent,
                                 event.position if event.kind is JobEventKind.QUEUED else None)
            await self._courier.edit(tracked.target, text)

    async def _final(self, tracked: _Tracked, event: JobEvent) -> None:
        async with tracked.lock:
            await self._finish(tracked.target, event)

    async def _orphan(self, request_id: str) -> None:
        """A delivered request nobody registered: wait for a late registration, then recover."""
        await asyncio.sleep(self._grace)
        event = self._early.get(request_id)
        if request_id in self._tracked or request_id in self._finished or event is None:
            return
        target = await self._recover(request_id)
        if target is None or request_id in self._tracked or request_id in self._finished:
            return
        self._early.pop(request_id, None)
        self._mark_finished(request_id)
        log.info("delivering request %s to its channel (no live message for it)", request_id)
        await self._finish(target, event)

    def _mark_finished(self, request_id: str) -> None:
        self._finished[request_id] = None
        while len(self._finished) > _KEEP:
            self._finished.popitem(last=False)

    def _spawn(self, coro: Awaitable[None]) -> asyncio.Task[None]:
        async def guarded() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("progress task failed")

        task = asyncio.create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


@contextlib.asynccontextmanager
async def running(tracker: ProgressTracker) -> AsyncIterator[ProgressTracker]:
    await tracker.start()
    try:
        yield tracker
    finally:
        await tracker.stop()
