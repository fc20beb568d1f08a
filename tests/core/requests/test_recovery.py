"""The recovery sweep gives the queue what the database says is waiting, one sweeper at a time."""

from __future__ import annotations

from datetime import timedelta

from core.clock import ManualClock
from core.ports import Claim, Stores
from core.requests.recovery import RecoverySweep, SweepSettings
from jobs.memory import InMemoryQueue
from tests.storage.factories import T0, render_request, seed, user_reservation


async def test_the_sweep_requeues_lost_and_lapsed_requests_once(stores: Stores) -> None:
    seeded = await seed(stores)
    lost, _ = await stores.requests.create(
        render_request(seeded, seconds=5), [user_reservation(seeded.user.id, 5)], T0
    )
    dead, _ = await stores.requests.create(
        render_request(seeded, seconds=5), [user_reservation(seeded.user.id, 5)], T0
    )
    claimed = await stores.runs.claim(dead.id, "worker-that-died", T0, 30.0, 3)
    assert isinstance(claimed, Claim)
    clock = ManualClock(T0 + timedelta(seconds=60))
    queue = InMemoryQueue()
    recovered = []
    sweep = RecoverySweep(stores, queue, clock, SweepSettings.every(15.0), holder="serve-1",
                          observe=lambda report: recovered.extend(report.requeued))
    report = await sweep.run_once()
    assert report.swept and set(report.requeued) == {lost.id, dead.id}
    assert report.expired == [dead.id]
    assert await queue.position(lost.id) is not None and await queue.position(dead.id) is not None
    again = await sweep.run_once()  # the queue holds them now: nothing more to do
    assert again.swept and again.requeued == [] and set(recovered) == {lost.id, dead.id}


async def test_one_instance_sweeps_at_a_time(stores: Stores) -> None:
    await seed(stores)
    clock = ManualClock(T0)
    first = RecoverySweep(stores, InMemoryQueue(), clock, SweepSettings.every(15.0), holder="a")
    second = RecoverySweep(stores, InMemoryQueue(), clock, SweepSettings.every(15.0), holder="b")
    assert (await first.run_once()).swept
    assert not (await second.run_once()).swept  # a's lease is live for two intervals
    clock.advance(timedelta(seconds=31))
    assert (await second.run_once()).swept  # a stopped sweeping: b takes over


async def test_a_queue_that_is_down_is_tried_again_next_time(stores: Stores) -> None:
    seeded = await seed(stores)
    waiting, _ = await stores.requests.create(
        render_request(seeded, seconds=5), [user_reservation(seeded.user.id, 5)], T0
    )
    clock = ManualClock(T0 + timedelta(seconds=60))
    queue = InMemoryQueue()
    queue.down = True
    sweep = RecoverySweep(stores, queue, clock, SweepSettings.every(15.0), holder="serve-1")
    report = await sweep.run_once()
    assert report.queue_down and report.requeued == []
    queue.down = False
    clock.advance(timedelta(seconds=15))
    assert (await sweep.run_once()).requeued == [waiting.id]
