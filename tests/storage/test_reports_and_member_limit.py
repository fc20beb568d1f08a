"""The report queue's storage, the new policy columns, and refunds of the per-member account."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.entitlements import member_account
from core.model import Clip, QuotaEntryKind, Report, RequestState, ScopePolicy, Transformation
from core.ports import Reservation, Stores
from storage.database import Database
from storage.repositories.reports import short_report_id
from tests.storage.factories import DAY, T0, Seeded, render_request, seed, user_reservation

OPEN = frozenset({RequestState.QUEUED, RequestState.RUNNING})


async def _clip(stores: Stores, seeded: Seeded, clip_id: str = "clip-1") -> Clip:
    request, _ = await stores.requests.create(
        render_request(seeded), [user_reservation(seeded.user.id, 5)], T0
    )
    clip = Clip(
        id=clip_id, request_id=request.id, recording_id="rec-1",
        transformation=Transformation.COVER, style="lofi", voice_model_id=None,
        license_id=seeded.license.id, license_version=seeded.license.version,
        requester_id=seeded.user.id, audio_sha256="e" * 64, duration_s=5.0,
        watermark_token=None, created_at=T0,
    )
    await stores.clips.add(clip)
    return clip


def _report(seeded: Seeded, report_id: str, minutes: int, scope: str = "guild-1") -> Report:
    return Report(
        id=report_id, scope_id=scope, clip_id="clip-1", delivery_id=None,
        reporter_user_id=seeded.user.id, reason=f"reason {minutes}",
        created_at=T0 + timedelta(minutes=minutes),
    )


async def test_policy_keeps_the_member_limit_and_the_nsfw_switch(stores: Stores) -> None:
    policy = ScopePolicy("guild-1", user_seconds_per_day=300, nsfw_filter=True, cooldown_s=5)
    await stores.policies.save(policy)
    assert await stores.policies.get("guild-1") == policy
    await stores.policies.save(ScopePolicy("guild-1"))
    stored = await stores.policies.get("guild-1")
    assert (stored.user_seconds_per_day, stored.nsfw_filter) == (None, False)


async def test_reports_are_listed_open_newest_first_per_scope(stores: Stores) -> None:
    seeded = await seed(stores)
    await _clip(stores, seeded)
    ids = ["0192f3a4-0000-7000-8000-00000000aaa1", "0192f3a4-0000-7000-8000-00000000aaa2",
           "0192f3a4-0000-7000-8000-00000000aaa3"]
    for minutes, report_id in enumerate(ids):
        await stores.reports.add(_report(seeded, report_id, minutes))
    await stores.reports.add(_report(seeded, "0192f3a4-0000-7000-8000-0000000000b1", 9, "guild-2"))
    listed = await stores.reports.list_open("guild-1")
    assert [r.id for r in listed] == ids[::-1]
    assert all(r.open and r.reason for r in listed)
    assert [r.id for r in await stores.reports.list_open("guild-1", limit=1)] == [ids[2]]

    assert await stores.reports.resolve(ids[1], "mod-1", "taken down", T0 + timedelta(hours=1))
    assert not await stores.reports.resolve(ids[1], "mod-2", "again", T0 + timedelta(hours=2))
    closed = await stores.reports.get(ids[1])
    assert closed is not None and not closed.open
    assert (closed.resolver_user_id, closed.resolution) == ("mod-1", "taken down")
    assert [r.id for r in await stores.reports.list_open("guild-1")] == [ids[2], ids[0]]


async def test_find_by_full_or_short_id_only_in_its_scope(stores: Stores) -> None:
    seeded = await seed(stores)
    await _clip(stores, seeded)
    report_id = "0192f3a4-0000-7000-8000-00001a2b3c4d"
    await stores.reports.add(_report(seeded, report_id, 0))
    assert short_report_id(report_id) == "1a2b3c4d"
    for typed in (report_id, "1a2b3c4d", "1A2B3C4D"):
        found = await stores.reports.find("guild-1", typed)
        assert found is not None and found.id == report_id
    assert await stores.reports.find("guild-2", "1a2b3c4d") is None
    assert await stores.reports.find("guild-1", "ffffffff") is None
    assert await stores.reports.get("nope") is None


async def test_reports_and_resolutions_refuse_changes_in_raw_sql(database: Database) -> None:
    stores = database.stores
    seeded = await seed(stores)
    await _clip(stores, seeded)
    await stores.reports.add(_report(seeded, "r-1", 0))
    await stores.reports.resolve("r-1", "mod-1", None, T0)
    for statement in (
        "UPDATE report SET scope_id = ''",
        "DELETE FROM report",
        "UPDATE report_resolution SET note = 'x'",
        "DELETE FROM report_resolution",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.engine.begin() as connection:
                await connection.execute(text(statement))
    kept = await stores.reports.get("r-1")
    assert kept is not None and kept.reason == "reason 0" and not kept.open


async def test_erasing_a_user_erases_the_words_of_their_reports_and_keeps_the_reports(
    stores: Stores,
) -> None:
    seeded = await seed(stores)
    await _clip(stores, seeded)
    await stores.reports.add(_report(seeded, "r-1", 0))
    await stores.reports.add(replace(_report(seeded, "r-2", 1), reason=None))
    await stores.reports.resolve("r-1", "mod-1", "looked at it", T0)
    exported = await stores.users.export(seeded.user.id)
    assert [(r["id"], r["reason"]) for r in exported["reports"]] == [("r-1", "reason 0"), ("r-2", None)]

    await stores.users.delete_personal_data(seeded.user.id)

    erased = await stores.reports.get("r-1")
    assert erased is not None and erased.reason is None
    assert erased.resolution == "looked at it" and not erased.open  # the record stays
    assert erased.reporter_user_id == seeded.user.id
    exported = await stores.users.export(seeded.user.id)
    assert [r["reason"] for r in exported["reports"]] == [None, None]


@pytest.mark.parametrize("final", [RequestState.FAILED, RequestState.CANCELLED])
async def test_member_account_is_refunded_with_the_others(stores: Stores, final: RequestState) -> None:
    seeded = await seed(stores)
    member = member_account("guild-1", seeded.user.id)
    reservations = [
        user_reservation(seeded.user.id, 15),
        Reservation(member, 15, 20, DAY),
        Reservation("pool:guild-1", 15, 600, DAY),
    ]
    request, _ = await stores.requests.create(render_request(seeded, seconds=15), reservations, T0)
    assert await stores.quota.used_seconds(member, DAY) == 15
    await stores.requests.transition(request.id, OPEN, final, T0 + timedelta(minutes=1))
    for account in (f"user:{seeded.user.id}", member, "pool:guild-1"):
        assert await stores.quota.used_seconds(account, DAY) == 0, account
    kinds = [e.kind for e in await stores.quota.entries(member)]
    assert kinds == [QuotaEntryKind.RESERVE, QuotaEntryKind.REFUND]


def test_member_account_fits_the_account_column() -> None:
    assert member_account("discord:123", "u-1") == "member:discord:123:u-1"
    user = "0192f3a4-0000-7000-8000-00001a2b3c4d"
    account = member_account("x" * 128, user)
    assert len(account) <= 160 and account != member_account("y" * 128, user)
