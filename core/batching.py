"""Coalescing concurrent calls into batches, so a burst costs a few round trips.

Callers ``await batcher.run(item)`` as if it were a plain call. A caller
that finds nobody processing becomes the *leader*: it yields one turn of the
event loop (so the callers of that turn join), then processes the waiting
items in batches until its own is answered, and hands the lead to the next
caller still waiting. A lone call is a batch of one with no added wait; a
burst of a thousand is a handful of batches.

The work runs in the callers' own tasks, never in a task of its own: a
leader that is cancelled (its bot shutting down) unwinds its database
session like any cancelled call, puts the unanswered items of its batch back
at the front, and hands the lead on, so nothing is orphaned or left waiting.

Failures stay with whoever they belong to: ``process`` answers an item it
could not handle with ``Failed(error)``, which only that item's caller
raises; if processing the whole batch raises (the database is down), every
caller of that batch gets the exception, as each would have from its own call.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Failed:
    """One item's own failure, raised to its caller alone."""

    error: Exception


_LEAD = object()
"""What a waiting caller is woken with when the lead passes to it."""


@dataclass(eq=False)
class _Entry(Generic[Item]):
    item: Item
    answer: asyncio.Future[object]


class Batcher(Generic[Item, Result]):
    """Runs ``process`` over the items of concurrent callers, in arrival order."""

    def __init__(
        self,
        process: Callable[[Sequence[Item]], Awaitable[Sequence[Result | Failed]]],
        max_batch: int = 256,
    ) -> None:
        self._process = process
        self._max = max_batch
        self._pending: deque[_Entry[Item]] = deque()
        self._leading = False

    async def run(self, item: Item) -> Result:
        entry = _Entry(item, asyncio.get_running_loop().create_future())
        self._pending.append(entry)
        while True:
            if not self._leading:
                await self._lead(entry)
            answer = await entry.answer
            if answer is _LEAD:
                continue
            if isinstance(answer, Failed):
                raise answer.error
            return cast(Result, answer)

    async def _lead(self, own: _Entry[Item]) -> None:
        self._leading = True
        batch: list[_Entry[Item]] = []
        try:
            await asyncio.sleep(0)  # let the callers of this turn of the loop join
            while not own.answer.done():
                batch = self._take()
                if not batch:
                    break
                await self._answer(batch)
                batch = []
        finally:
            self._leading = False
            unanswered = [e for e in batch if e is not own and not e.answer.done()]
            self._pending.extendleft(reversed(unanswered))
            if not own.answer.done():  # cancelled before our own answer: nobody waits for it
                own.answer.cancel()
                if own in self._pending:
                    self._pending.remove(own)
            self._hand_over()

    def _take(self) -> list[_Entry[Item]]:
        batch: list[_Entry[Item]] = []
        while self._pending and len(batch) < self._max:
            entry = self._pending.popleft()
            if not entry.answer.done():  # a caller that gave up is skipped
                batch.append(entry)
        return batch

    async def _answer(self, batch: list[_Entry[Item]]) -> None:
        try:
            results: Sequence[object] = await self._process([e.item for e in batch])
        except Exception as exc:
            results = [Failed(exc)] * len(batch)
        for entry, result in zip(batch, results, strict=True):
            if not entry.answer.done():
                entry.answer.set_result(result)

    def _hand_over(self) -> None:
        """Wake the first caller still waiting to lead; a fresh future keeps its place."""
        for entry in self._pending:
            if not entry.answer.done():
                woken, entry.answer = entry.answer, asyncio.get_running_loop().create_future()
                woken.set_result(_LEAD)
                return
