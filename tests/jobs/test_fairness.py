"""One fan's batch cannot starve a server: round-robin, tier priority, per-user cap."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.fairness import FairScheduler, WaitingJob


def drain(scheduler: FairScheduler) -> list[str]:
    out = []
    while (job := scheduler.pop()) is not None:
        out.append(job.request_id)
        scheduler.done(job.user_id)
    return out


def test_round_robin_across_users() -> None:
    s = FairScheduler()
    for i in range(5):
        s.add(WaitingJob(f"a{i}", "alice", 0))
    s.add(WaitingJob("b0", "bob", 0))
    s.add(WaitingJob("c0", "carol", 0))
    assert s.order()[:3] == ["a0", "b0", "c0"]
    assert s.position("b0") == 2
    assert drain(s) == ["a0", "b0", "c0", "a1", "a2", "a3", "a4"]


def test_higher_tier_goes_first_within_a_round() -> None:
    s = FairScheduler()
    s.add(WaitingJob("f0", "free", 0))
    s.add(WaitingJob("f1", "free", 0))
    s.add(WaitingJob("p0", "pro", 2))
    s.add(WaitingJob("p1", "pro", 2))
    assert drain(s) == ["p0", "f0", "p1", "f1"]


def test_per_user_cap_and_idempotent_add() -> None:
    s = FairScheduler(per_user_cap=1)
    assert s.add(WaitingJob("a0", "alice", 0))
    assert not s.add(WaitingJob("a0", "alice", 0))
    s.add(WaitingJob("a1", "alice", 0))
    first = s.pop()
    assert first is not None and first.request_id == "a0"
    assert s.pop() is None  # alice is at her cap while a0 runs
    s.done("alice")
    second = s.pop()
    assert second is not None and second.request_id == "a1"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcdefgh"), st.integers(0, 2)), max_size=60))
def test_order_matches_what_runs_and_nobody_waits_two_rounds(jobs: list[tuple[str, int]]) -> None:
    s = FairScheduler()
    tier = {}
    for n, (user, priority) in enumerate(jobs):
        priority = tier.setdefault(user, priority)
        s.add(WaitingJob(f"{user}{n}", user, priority))
    predicted = s.order()
    ran = drain(s)
    assert ran == predicted
    assert sorted(ran) == sorted(f"{u}{n}" for n, (u, _) in enumerate(jobs))
    # within any window of (number of users) consecutive starts, no user appears twice
    # while another user still had work waiting
    users = [r[0] for r in ran]
    remaining = {u: users.count(u) for u in set(users)}
    for index, user in enumerate(users):
        remaining[user] -= 1
        others_waiting = [u for u, left in remaining.items() if left > 0 and u != user]
        nxt = users[index + 1] if index + 1 < len(users) else None
        if nxt == user and others_waiting:
            raise AssertionError(f"{user} ran twice in a row while {others_waiting} waited")
