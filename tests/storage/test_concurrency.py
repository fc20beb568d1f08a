"""Real concurrency: many connections racing for the same quota and the same request.

Several ``Database`` objects (separate engines and pools, like separate
processes) fire at once with ``asyncio.gather``; the limit must hold exactly.
"""

from __future__ import annotations

import asyncio

from core.model import QuotaEntryKind, RequestState
from core.ports import QuotaExceeded
from storage.database import Database
from tests.storage.factories import DAY, T0, render_request, seed, user_reservation

ATTEMPTS = 20
ALLOWED = 5
SECONDS = 10


async def _open_many(url: str, count: int) -> list[Database]:
    return [await Database.open(url) for _ in range(count)]


async def test_concurrent_creates_never_pass_the_limit(db_url: str, database: Database) -> None:
    seeded = await seed(database.stores)
    account = f"user:{seeded.user.id}"
    limit = ALLOWED * SECONDS
    databases = await _open_many(db_url, 4)
    try:

        async def attempt(i: int) -> bool:
            db = databases[i % len(databases)]
            request = render_request(seeded, seconds=SECONDS, key=f"race:{i}")
            reservation = user_reservation(seeded.user.id, SECONDS, limit=limit)
            try:
                _, created = await db.stores.requests.create(request, [reservation], T0)
            except QuotaExceeded as exc:
                assert exc.limit == limit and exc.used + SECONDS > limit
                return False
            return created

        outcomes = await asyncio.gather(*(attempt(i) for i in range(ATTEMPTS)))
    finally:
        for db in databases:
            await db.close()

    assert sum(outcomes) == ALLOWED
    assert await database.stores.quota.used_seconds(account, DAY) == limit
    entries = await database.stores.quota.entries(account)
    assert len(entries) == ALLOWED
    queued = await database.stores.requests.list_in_states(frozenset({RequestState.QUEUED}))
    assert len(queued) == ALLOWED


async def test_concurrent_duplicates_create_one_request(db_url: str, database: Database) -> None:
    seeded = await seed(database.stores)
    databases = await _open_many(db_url, 4)
    try:
        results = await asyncio.gather(
            *(
                databases[i % 4].stores.requests.create(
                    render_request(seeded, key="discord:same-message"),
                    [user_reservation(seeded.user.id, SECONDS)],
                    T0,
                )
                for i in range(8)
            )
        )
    finally:
        for db in databases:
            await db.close()
    assert sum(created for _, created in results) == 1
    assert len({stored.id for stored, _ in results}) == 1
    assert await database.stores.quota.used_seconds(f"user:{seeded.user.id}", DAY) == SECONDS


async def test_concurrent_transitions_settle_once(db_url: str, database: Database) -> None:
    seeded = await seed(database.stores)
    request, _ = await database.stores.requests.create(
        render_request(seeded), [user_reservation(seeded.user.id, SECONDS)], T0
    )
    databases = await _open_many(db_url, 4)
    open_states = frozenset({RequestState.QUEUED, RequestState.RUNNING})
    try:
        results = await asyncio.gather(
            *(
                databases[i % 4].stores.requests.transition(
                    request.id,
                    open_states,
                    RequestState.CANCELLED if i % 2 else RequestState.DELIVERED,
                    T0,
                )
                for i in range(10)
            )
        )
    finally:
        for db in databases:
            await db.close()
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    settlements = [
        e
        for e in await database.stores.quota.entries(f"user:{seeded.user.id}")
        if e.kind is not QuotaEntryKind.RESERVE
    ]
    assert len(settlements) == 1
