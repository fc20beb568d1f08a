"""Requests: idempotent creation with quota, the state machine, queries."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from core.model import QuotaEntryKind, RequestState
from core.ports import QuotaExceeded, Reservation, Stores
from tests.storage.factories import DAY, T0, render_request, seed, user_reservation

OPEN = frozenset({RequestState.QUEUED, RequestState.RUNNING})


async def test_create_stores_the_request_and_reserves(stores: Stores) -> None:
    seeded = await seed(stores)
    request = render_request(seeded, seconds=12)
    stored, created = await stores.requests.create(
        request, [user_reservation(seeded.user.id, 12)], T0
    )
    assert created and stored == request
    assert await stores.requests.get(request.id) == request
    assert await stores.requests.get_by_idempotency_key(request.idempotency_key) == request
    assert await stores.quota.used_seconds(f"user:{seeded.user.id}", DAY) == 12
    [entry] = await stores.quota.entries(f"user:{seeded.user.id}")
    assert (entry.kind, entry.seconds, entry.request_id, entry.period_start, entry.at) == (
        QuotaEntryKind.RESERVE,
        12,
        request.id,
        DAY,
        T0,
    )


async def test_create_is_idempotent_on_the_key(stores: Stores) -> None:
    seeded = await seed(stores)
    reservation = [user_reservation(seeded.user.id, 10)]
    first = render_request(seeded, key="discord:msg-1")
    await stores.requests.create(first, reservation, T0)
    retry = render_request(seeded, key="discord:msg-1", seconds=20)
    stored, created = await stores.requests.create(retry, reservation, T0)
    assert not created and stored == first
    assert await stores.requests.get(retry.id) is None
    assert await stores.quota.used_seconds(f"user:{seeded.user.id}", DAY) == 10


async def test_quota_exceeded_stores_nothing(stores: Stores) -> None:
    seeded = await seed(stores)
    account = f"user:{seeded.user.id}"
    await stores.requests.create(render_request(seeded), [user_reservation(seeded.user.id, 50)], T0)
    too_much = render_request(seeded, seconds=11)
    pool = Reservation("pool:guild-1", 11, 1000, DAY)
    with pytest.raises(QuotaExceeded) as caught:
        await stores.requests.create(too_much, [pool, user_reservation(seeded.user.id, 11)], T0)
    assert (caught.value.account, caught.value.used, caught.value.limit) == (account, 50, 60)
    assert await stores.requests.get(too_much.id) is None
    assert await stores.quota.used_seconds("pool:guild-1", DAY) == 0
    assert await stores.quota.entries("pool:guild-1") == []
    fits = render_request(seeded, seconds=10)
    _, created = await stores.requests.create(
        fits, [pool, user_reservation(seeded.user.id, 10)], T0
    )
    assert created
    assert await stores.quota.used_seconds(account, DAY) == 60


async def test_quota_periods_are_separate(stores: Stores) -> None:
    seeded = await seed(stores)
    today = user_reservation(seeded.user.id, 60)
    tomorrow = dataclasses.replace(today, period_start=DAY + timedelta(days=1))
    await stores.requests.create(render_request(seeded), [today], T0)
    await stores.requests.create(render_request(seeded), [tomorrow], T0)
    assert await stores.quota.used_seconds(f"user:{seeded.user.id}", DAY) == 60
    assert await stores.quota.used_seconds(f"user:{seeded.user.id}", tomorrow.period_start) == 60


async def test_transition_is_compare_and_set(stores: Stores) -> None:
    seeded = await seed(stores)
    request, _ = await stores.requests.create(render_request(seeded), [], T0)
    later = T0 + timedelta(seconds=5)
    running = await stores.requests.transition(
        request.id, frozenset({RequestState.QUEUED}), RequestState.RUNNING, later
    )
    assert running is not None
    assert (running.state, running.updated_at, running.created_at) == (
        RequestState.RUNNING,
        later,
        T0,
    )
    again = await stores.requests.transition(
        request.id, frozenset({RequestState.QUEUED}), RequestState.RUNNING, later
    )
    assert again is None
    assert await stores.requests.transition("missing", OPEN, RequestState.FAILED, later) is None
    assert (
        await stores.requests.transition(request.id, frozenset(), RequestState.FAILED, T0) is None
    )


async def test_delivery_commits_the_reservation(stores: Stores) -> None:
    seeded = await seed(stores)
    account = f"user:{seeded.user.id}"
    pool = Reservation("pool:guild-1", 10, 600, DAY)
    request, _ = await stores.requests.create(
        render_request(seeded), [user_reservation(seeded.user.id, 10), pool], T0
    )
    done = await stores.requests.transition(
        request.id, OPEN, RequestState.DELIVERED, T0, clip_id="clip-9"
    )
    assert done is not None and (done.state, done.clip_id) == (RequestState.DELIVERED, "clip-9")
    kinds = [(e.kind, e.seconds) for e in await stores.quota.entries(account)]
    assert kinds == [(QuotaEntryKind.RESERVE, 10), (QuotaEntryKind.COMMIT, 0)]
    assert [e.kind for e in await stores.quota.entries("pool:guild-1")] == [
        QuotaEntryKind.RESERVE,
        QuotaEntryKind.COMMIT,
    ]
    assert await stores.quota.used_seconds(account, DAY) == 10


@pytest.mark.parametrize("final", [RequestState.FAILED, RequestState.CANCELLED])
async def test_failure_and_cancellation_refund_once(stores: Stores, final: RequestState) -> None:
    seeded = await seed(stores)
    account = f"user:{seeded.user.id}"
    request, _ = await stores.requests.create(
        render_request(seeded, seconds=15), [user_reservation(seeded.user.id, 15)], T0
    )
    later = T0 + timedelta(minutes=1)
    ended = await stores.requests.transition(request.id, OPEN, final, later, error="boom")
    assert ended is not None and (ended.state, ended.error) == (final, "boom")
    assert await stores.quota.used_seconds(account, DAY) == 0
    # Even a careless second transition out of a final state refunds nothing more.
    await stores.requests.transition(request.id, frozenset({final}), RequestState.FAILED, later)
    refunds = [e for e in await stores.quota.entries(account) if e.kind is QuotaEntryKind.REFUND]
    assert [(r.seconds, r.period_start, r.at) for r in refunds] == [(15, DAY, later)]
    assert await stores.quota.used_seconds(account, DAY) == 0


async def test_progress_is_recorded_only_while_open(stores: Stores) -> None:
    seeded = await seed(stores)
    request, _ = await stores.requests.create(render_request(seeded), [], T0)
    await stores.requests.set_progress(request.id, "separating", 140, T0 + timedelta(seconds=1))
    stored = await stores.requests.get(request.id)
    assert stored is not None and (stored.stage, stored.progress) == ("separating", 100)
    await stores.requests.transition(request.id, OPEN, RequestState.FAILED, T0)
    await stores.requests.set_progress(request.id, "mixing", 50, T0)
    stored = await stores.requests.get(request.id)
    assert stored is not None and stored.stage == "separating"
    await stores.requests.set_progress("missing", "mixing", 50, T0)  # no error


async def test_find_by_short_id(stores: Stores) -> None:
    seeded = await seed(stores)
    request, _ = await stores.requests.create(render_request(seeded), [], T0)
    short = request.id.replace("-", "")[-8:]
    assert await stores.requests.find_by_short_id(short) == request
    assert await stores.requests.find_by_short_id(short.upper()) == request
    assert await stores.requests.find_by_short_id(short[-6:]) == request
    assert await stores.requests.find_by_short_id("00000000") is None
    assert await stores.requests.find_by_short_id("%") is None
    assert await stores.requests.find_by_short_id("") is None


async def test_listing_queries(stores: Stores) -> None:
    seeded = await seed(stores)
    other = await stores.users.get_or_create("console", "bob", "Bob", T0)
    made = []
    for minute in range(4):
        at = T0 + timedelta(minutes=minute)
        request, _ = await stores.requests.create(render_request(seeded, at=at), [], at)
        made.append(request)
    elsewhere = render_request(seeded, scope_id="guild-2", at=T0 + timedelta(hours=1))
    await stores.requests.create(elsewhere, [], T0)
    bobs = render_request(seeded, user_id=other.id, at=T0 + timedelta(hours=2))
    await stores.requests.create(bobs, [], T0)
    await stores.requests.transition(made[1].id, OPEN, RequestState.RUNNING, T0)
    await stores.requests.transition(made[2].id, OPEN, RequestState.DELIVERED, T0)

    queued = await stores.requests.list_in_states(frozenset({RequestState.QUEUED}))
    assert [r.id for r in queued] == [made[0].id, made[3].id, elsewhere.id, bobs.id]
    open_ = await stores.requests.list_in_states(OPEN)
    assert [r.id for r in open_] == [made[0].id, made[1].id, made[3].id, elsewhere.id, bobs.id]
    assert await stores.requests.list_in_states(frozenset()) == []

    mine = await stores.requests.list_for_user(seeded.user.id, limit=3)
    assert [r.id for r in mine] == [elsewhere.id, made[3].id, made[2].id]
    assert len(await stores.requests.list_for_user(seeded.user.id)) == 5

    latest = await stores.requests.last_created_at_many(
        [(seeded.user.id, "guild-1"), (other.id, "guild-1"), (other.id, "guild-2")]
    )
    assert latest.get((seeded.user.id, "guild-1")) == made[3].created_at
    assert latest.get((other.id, "guild-1")) == bobs.created_at
    assert latest.get((other.id, "guild-2")) is None
