"""The batch reads and the one-transaction write behind a burst of submits, on both backends.

``create_many`` must give every item exactly what ``create`` would have given
it had the items been submitted one after the other: a hypothesis property
checks that against a plain model of the ledger (money-like: seconds of
quota are never oversold, never lost).
"""

from __future__ import annotations

import itertools
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.model import AuditEntry
from core.ports import QuotaExceeded, Reservation, Stores
from tests.storage.factories import DAY, T0, Seeded, render_request, seed, user_reservation

_examples = itertools.count()


async def test_create_many_stores_in_order_and_refuses_what_would_not_fit(stores: Stores) -> None:
    seeded = await seed(stores)
    uid = seeded.user.id
    earlier = render_request(seeded, key="discord:m0", seconds=20)
    await stores.requests.create(earlier, [user_reservation(uid, 20)], T0)
    items = [
        (render_request(seeded, key="discord:m1", seconds=30), [user_reservation(uid, 30)]),
        (render_request(seeded, key="discord:m2", seconds=20), [user_reservation(uid, 20)]),
        (render_request(seeded, key="discord:m0", seconds=5), [user_reservation(uid, 5)]),
        (render_request(seeded, key="discord:m1", seconds=5), [user_reservation(uid, 5)]),
        (render_request(seeded, key="discord:m3", seconds=10), [user_reservation(uid, 10)]),
    ]
    results = await stores.requests.create_many(items, T0)
    first, over, old, repeat, last = results
    assert first == (items[0][0], True)
    assert isinstance(over, QuotaExceeded) and (over.used, over.limit) == (50, 60)
    assert old == (earlier, False)
    assert repeat == (items[0][0], False)  # the same message twice in one batch: one request
    assert last == (items[4][0], True)
    assert await stores.quota.used_seconds(f"user:{uid}", DAY) == 60
    assert await stores.requests.get(items[1][0].id) is None
    assert await stores.requests.create_many([], T0) == []


async def test_batch_reads_match_the_single_reads(stores: Stores) -> None:
    seeded = await seed(stores)
    other = await stores.users.get_or_create("discord", "bob", "Bob", T0)
    request = render_request(seeded, key="discord:r1", at=T0 + timedelta(minutes=3))
    await stores.requests.create(request, [user_reservation(seeded.user.id, 10)], T0)

    found = await stores.users.find_many([("console", "alice"), ("discord", "bob"), ("x", "nobody")])
    assert found == {("console", "alice"): seeded.user, ("discord", "bob"): other}
    keys = await stores.requests.get_by_idempotency_keys(["discord:r1", "discord:none"])
    assert keys == {"discord:r1": request}
    latest = await stores.requests.last_created_at_many(
        [(seeded.user.id, "guild-1"), (seeded.user.id, "guild-2"), (other.id, "guild-1")]
    )
    assert latest == {(seeded.user.id, "guild-1"): T0 + timedelta(minutes=3)}
    used = await stores.quota.used_seconds_many(
        [(f"user:{seeded.user.id}", DAY), (f"user:{other.id}", DAY), (f"user:{seeded.user.id}", T0)]
    )
    assert used == {
        (f"user:{seeded.user.id}", DAY): 10,
        (f"user:{other.id}", DAY): 0,
        (f"user:{seeded.user.id}", T0): 0,
    }
    await stores.audit.append(AuditEntry("a-1", "user:x", "mod", "notice", "hi", T0))
    await stores.audit.append(AuditEntry("a-2", "user:y", "mod", "settings", "…", T0))
    assert await stores.audit.scopes_with_action(["user:x", "user:y", "user:z"], "notice") == {"user:x"}


_item = st.tuples(
    st.integers(0, 5),  # message (idempotency key) within the example
    st.integers(0, 2),  # which user account
    st.booleans(),  # also reserve on the shared pool
    st.integers(1, 40),  # seconds
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(_item, min_size=1, max_size=12), limit=st.integers(10, 80))
async def test_create_many_equals_one_create_after_another(
    stores: Stores, items: list[tuple[int, int, bool, int]], limit: int
) -> None:
    seeded = await _seeded(stores)
    run = next(_examples)
    accounts = [f"user:hyp{run}-{n}" for n in range(3)]
    pool = f"pool:hyp{run}"
    batch = []
    for message, who, shared, seconds in items:
        request = render_request(seeded, key=f"hyp{run}:{message}", seconds=seconds)
        reservations = [Reservation(accounts[who], seconds, limit, DAY)]
        if shared:
            reservations.append(Reservation(pool, seconds, 2 * limit, DAY))
        batch.append((request, reservations))

    results = await stores.requests.create_many(batch, T0)

    # The model: one create after another over a plain ledger.
    used: dict[str, int] = {}
    stored: dict[str, str] = {}
    for (request, reservations), result in zip(batch, results, strict=True):
        if request.idempotency_key in stored:
            assert isinstance(result, tuple) and result[1] is False
            assert result[0].id == stored[request.idempotency_key]
            continue
        over = next((r for r in reservations if used.get(r.account, 0) + r.seconds > r.limit), None)
        if over is not None:
            assert isinstance(result, QuotaExceeded)
            assert (result.account, result.used) == (over.account, used.get(over.account, 0))
            assert await stores.requests.get(request.id) is None
            continue
        assert result == (request, True)
        stored[request.idempotency_key] = request.id
        for r in reservations:
            used[r.account] = used.get(r.account, 0) + r.seconds
    for account in [*accounts, pool]:
        assert await stores.quota.used_seconds(account, DAY) == used.get(account, 0)
        assert used.get(account, 0) <= (2 * limit if account == pool else limit)


async def _seeded(stores: Stores) -> Seeded:
    """Hypothesis runs every example on the same database: seeding again is a no-op import."""
    return await seed(stores)
