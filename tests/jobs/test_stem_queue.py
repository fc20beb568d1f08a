"""The separation queue: fans before warming, a queued key moved up, each key run once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from jobs.stem_queue import FAN_PRIORITY, WARM_PRIORITY, SeparationQueue


async def test_a_fan_moves_a_queued_warming_to_the_front_and_shares_it() -> None:
    queue: SeparationQueue[str] = SeparationQueue()
    ran: list[str] = []
    gate = asyncio.Event()

    def work(key: str) -> Callable[[], Awaitable[str]]:
        async def run() -> str:
            ran.append(key)
            if key == "a":
                await gate.wait()  # the first separation is busy while the others queue
            return f"stems of {key}"
        return run

    first = asyncio.create_task(queue.run("a", WARM_PRIORITY, work("a")))
    await asyncio.sleep(0)
    warm = {k: asyncio.create_task(queue.run(k, WARM_PRIORITY, work(k))) for k in "bcd"}
    await asyncio.sleep(0)
    assert queue.waiting() == ["b", "c", "d"]
    fan = asyncio.create_task(queue.run("d", FAN_PRIORITY, work("d")))
    await asyncio.sleep(0)
    assert queue.waiting() == ["d", "b", "c"]
    gate.set()
    results = await asyncio.wait_for(asyncio.gather(first, fan, *warm.values()), 10)
    assert ran == ["a", "d", "b", "c"]  # d once, for the fan and its warming alike
    assert results[1] == results[4] == "stems of d"
    assert not queue.holds("d")


async def test_a_failure_reaches_every_caller_and_the_queue_goes_on() -> None:
    queue: SeparationQueue[str] = SeparationQueue()

    async def broken() -> str:
        await asyncio.sleep(0)
        raise RuntimeError("model exploded")

    async def fine() -> str:
        return "ok"

    callers = [asyncio.create_task(queue.run("x", WARM_PRIORITY, broken)) for _ in range(2)]
    later = asyncio.create_task(queue.run("y", WARM_PRIORITY, fine))
    for caller in callers:
        with pytest.raises(RuntimeError, match="model exploded"):
            await asyncio.wait_for(caller, 10)
    assert await asyncio.wait_for(later, 10) == "ok"
