"""The batcher: concurrent calls share one processing pass, each gets its own answer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from core.batching import Batcher, Failed


class Doubler:
    def __init__(self, fail_on: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self.fail_on = fail_on

    async def __call__(self, items: Sequence[int]) -> list[int]:
        self.batches.append(list(items))
        await asyncio.sleep(0.01)  # a database round trip: more callers arrive meanwhile
        if self.fail_on is not None and self.fail_on in items:
            raise RuntimeError("database is down")
        return [2 * i for i in items]


async def test_a_lone_call_is_a_batch_of_one() -> None:
    process = Doubler()
    assert await Batcher(process).run(21) == 42
    assert process.batches == [[21]]


async def test_a_burst_is_coalesced_and_answered_in_order() -> None:
    process = Doubler()
    batcher = Batcher(process, max_batch=40)
    results = await asyncio.gather(*(batcher.run(i) for i in range(100)))
    assert results == [2 * i for i in range(100)]
    assert [len(b) for b in process.batches] == [40, 40, 20]
    assert [i for b in process.batches for i in b] == list(range(100))


async def test_calls_made_while_a_batch_runs_form_the_next_one() -> None:
    process = Doubler()
    batcher = Batcher(process)
    first = asyncio.ensure_future(batcher.run(1))
    await asyncio.sleep(0.005)  # the first batch is being processed
    later = await asyncio.gather(batcher.run(2), batcher.run(3))
    assert (await first, later) == (2, [4, 6])
    assert process.batches == [[1], [2, 3]]


async def test_a_failing_batch_fails_each_of_its_callers_and_not_the_next() -> None:
    process = Doubler(fail_on=3)
    batcher = Batcher(process, max_batch=4)
    results = await asyncio.gather(*(batcher.run(i) for i in range(6)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results[:4])
    assert results[4:] == [8, 10]


async def test_an_items_own_failure_reaches_its_caller_alone() -> None:
    async def process(items: Sequence[int]) -> list[int | Failed]:
        return [Failed(ValueError(f"no {i}")) if i == 2 else i for i in items]

    batcher = Batcher(process)
    results = await asyncio.gather(*(batcher.run(i) for i in range(4)), return_exceptions=True)
    assert results[:2] == [0, 1] and results[3] == 3
    assert isinstance(results[2], ValueError) and str(results[2]) == "no 2"


async def test_a_caller_that_gives_up_does_not_disturb_the_others() -> None:
    process = Doubler()
    batcher = Batcher(process)
    impatient = asyncio.ensure_future(batcher.run(1))
    patient = asyncio.ensure_future(batcher.run(2))
    await asyncio.sleep(0)
    impatient.cancel()
    assert await patient == 4
    with pytest.raises(asyncio.CancelledError):
        await impatient


async def test_a_leader_cancelled_mid_batch_hands_its_batch_on() -> None:
    """The work runs in the callers' tasks: a cancelled leader leaves nothing orphaned."""
    process = Doubler()
    batcher = Batcher(process)
    leader = asyncio.ensure_future(batcher.run(1))
    others = [asyncio.ensure_future(batcher.run(i)) for i in (2, 3)]
    await asyncio.sleep(0.005)  # the leader is processing [1, 2, 3]
    leader.cancel()
    assert await asyncio.gather(*others) == [4, 6]
    assert process.batches == [[1, 2, 3], [2, 3]]
    with pytest.raises(asyncio.CancelledError):
        await leader
    assert await batcher.run(5) == 10  # and the batcher still works
