"""Coalescing concurrent calls into batches, so a burst costs a few round trips.

Callers ``await batcher.run(item)`` as if it were a plain call. The first
call of an idle batcher starts a drain on the next turn of the event loop;
every call made meanwhile joins it, and calls made while a batch is being
processed form the next one. A lone call is therefore a batch of one with
no added wait, and a burst of a thousand is a handful of batches.

Failures stay with whoever they belong to: ``process`` answers an item it
could not handle with ``Failed(error)``, which only that item's caller
raises; if processing the whole batch raises (the database is down), every
caller of that batch gets the exception, as each would have from its own call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Failed:
    """One item's own failure, raised to its caller alone."""

    error: Exception


class Batcher(Generic[Item, Result]):
    """Runs ``process`` over the items of concurrent callers, in arrival order."""

    def __init__(
        self,
        process: Callable[[Sequence[Item]], Awaitable[Sequence[Result | Failed]]],
        max_batch: int = 256,
    ) -> None:
        self._process = process
        self._max = max_batch
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def run(self, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            await self._drain_all()
        finally:  # cancelled (shutting down): nobody waits forever
            for _, future in self._pending:
                if not future.done():
                    future.cancel()
            self._pending = []

    async def _drain_all(self) -> None:
        await asyncio.sleep(0)  # let the callers of this turn of the loop join
        while self._pending:
            batch, self._pending = self._pending[: self._max], self._pending[self._max :]
            live = [(item, future) for item, future in batch if not future.cancelled()]
            if not live:
                continue
            try:
                results = await self._process([item for item, _ in live])
            except BaseException as exc:  # each caller gets what its own call would have raised
                for _, future in live:
                    if not future.done():
                        future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            for (_, future), result in zip(live, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, Failed):
                    future.set_exception(result.error)
                else:
                    future.set_result(result)
