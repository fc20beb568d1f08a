"""Claims, leases and finishing once: the worker's side of a request, on both backends."""

from __future__ import annotations

from datetime import timedelta

from core.model import (
    Clip,
    Delivery,
    Origin,
    PlayEvent,
    QuotaEntryKind,
    RenderRequest,
    RequestState,
    Transformation,
    UsageType,
)
from core.ports import Claim, NotClaimed, Stores, Unclaimable
from tests.storage.factories import DAY, T0, Seeded, render_request, seed, user_reservation

LEASE_S = 30.0


async def _queued(stores: Stores, seeded: Seeded, seconds: int = 10) -> RenderRequest:
    request, _ = await stores.requests.create(
        render_request(seeded, seconds=seconds), [user_reservation(seeded.user.id, seconds)], T0
    )
    return request


def _clip(request: RenderRequest, clip_id: str = "clip-1") -> Clip:
    return Clip(
        id=clip_id, request_id=request.id, recording_id=request.recording_id,
        transformation=Transformation.COVER, style="lofi", voice_model_id=None,
        license_id=request.license_id, license_version=request.license_version,
        requester_id=request.user_id, audio_sha256="e" * 64, duration_s=5.0,
        watermark_token=None, created_at=T0,
    )


def _copy(clip: Clip, delivery_id: str = "delivery-1", token: int = 7) -> Delivery:
    return Delivery(
        id=delivery_id, clip_id=clip.id, token=token, key_id="k1",
        recipient_user_id=clip.requester_id, platform="console", chat_id="general",
        origin=Origin.COMMAND, fmt="opus", sha256="f" * 64, size_bytes=1000,
        share_id=f"share-{delivery_id}", created_at=T0,
    )


def _usage(clip: Clip, delivery: Delivery, event_id: str = "event-1") -> PlayEvent:
    return PlayEvent(
        event_id=event_id, clip_id=clip.id, delivery_id=delivery.id, usage=UsageType.DELIVERY,
        listener_key="listener", platform="console", origin=Origin.COMMAND, ms_played=0,
        territory="WW", played_at=T0, received_at=T0,
    )


async def _claim(stores: Stores, request_id: str, token: str, at_s: float = 0) -> Claim:
    claimed = await stores.runs.claim(request_id, token, T0 + timedelta(seconds=at_s), LEASE_S, 3)
    assert isinstance(claimed, Claim), claimed
    return claimed


async def _kinds(stores: Stores, seeded: Seeded) -> list[QuotaEntryKind]:
    return [e.kind for e in await stores.quota.entries(f"user:{seeded.user.id}")]


async def test_a_claim_runs_the_request_under_a_lease(stores: Stores) -> None:
    seeded = await seed(stores)
    request = await _queued(stores, seeded)
    claim = await _claim(stores, request.id, "token-a")
    assert claim.request.state is RequestState.RUNNING and claim.request.attempts == 1
    assert claim.expires_at == T0 + timedelta(seconds=LEASE_S)
    held = await stores.runs.claim(request.id, "token-b", T0 + timedelta(seconds=10), LEASE_S, 3)
    assert isinstance(held, NotClaimed) and held.reason is Unclaimable.HELD
    assert held.retry_at == claim.expires_at


async def test_a_lapsed_lease_goes_to_the_next_worker_and_fences_the_first(stores: Stores) -> None:
    seeded = await seed(stores)
    request = await _queued(stores, seeded)
    first = await _claim(stores, request.id, "token-a")
    second = await _claim(stores, request.id, "token-b", at_s=LEASE_S + 1)
    assert second.request.attempts == 2
    assert await stores.runs.renew(first, T0 + timedelta(seconds=40), LEASE_S) is None
    clip = _clip(request)
    late = await stores.runs.complete(first, clip, _copy(clip), [], T0)
    assert late is None  # the first worker woke up too late: nothing of it is written
    assert await stores.clips.for_request(request.id) is None
    assert await stores.deliveries.get("delivery-1") is None
    assert await stores.runs.fail(request.id, "x", T0, token="token-a") is None
    renewed = await stores.runs.renew(second, T0 + timedelta(seconds=50), LEASE_S)
    assert renewed is not None and renewed.expires_at == T0 + timedelta(seconds=50 + LEASE_S)


async def test_claims_run_out(stores: Stores) -> None:
    seeded = await seed(stores)
    request = await _queued(stores, seeded)
    for n in range(3):
        await _claim(stores, request.id, f"token-{n}", at_s=n * (LEASE_S + 1))
    spent = await stores.runs.claim(request.id, "token-x", T0 + timedelta(seconds=200), LEASE_S, 3)
    assert isinstance(spent, NotClaimed) and spent.reason is Unclaimable.EXHAUSTED
    assert spent.request is not None and spent.request.attempts == 3


async def test_giving_back_does_not_count_a_try(stores: Stores) -> None:
    seeded = await seed(stores)
    request = await _queued(stores, seeded)
    claim = await _claim(stores, request.id, "token-a")
    assert await stores.runs.release(claim, T0 + timedelta(seconds=1))
    back = await stores.requests.get(request.id)
    assert back is not None and back.state is RequestState.QUEUED and back.attempts == 0
    assert back.lease_expires_at is None
    assert not await stores.runs.release(claim, T0)  # once only
    again = await _claim(stores, request.id, "token-b", at_s=2)
    assert again.request.attempts == 1


async def test_complete_records_copy_usage_and_charge_in_one_go(stores: Stores) -> None:
    seeded = await seed(stores)
    request = await _queued(stores, seeded)
    claim = await _claim(stores, request.id, "token-a")
    clip = _clip(request)
    copy = _copy(clip)
    done = await stores.runs.complete(claim, clip, copy, [_usage(clip, copy)], T0)
    assert done is not None and done.state is RequestState.DELIVERED
    assert (done.clip_id, done.delivery_id, done.lease_expires_at) == (clip.id, copy.id, None)
    assert await stores.clips.get(clip.id) == clip
    assert await stores.deliveries.get(copy.id) == copy
    assert await stores.plays.count() == 1
    assert await _kinds(stores, seeded) == [QuotaEntryKind.RESERVE, QuotaEntryKind.COMMIT]
    assert await stores.quota.used_seconds(f"user:{seeded.user.id}", DAY) == 10
    assert await stores.runs.complete(claim, clip, _copy(clip, "delivery-2", 8), [], T0) is None
    assert await stores.runs.fail(request.id, "late", T0) is None
    assert await _kinds(stores, seeded) == [QuotaEntryKind.RESERVE, QuotaEntryKind.COMMIT]


async def test_fail_refunds_once(stores: Stores) -> None:
    seeded = await seed(stores)
    request = await _queued(stores, seeded)
    claim = await _claim(stores, request.id, "token-a")
    failed = await stores.runs.fail(request.id, "It took too long.", T0, token=claim.token)
    assert failed is not None and failed.state is RequestState.FAILED
    assert failed.error == "It took too long."
    assert await stores.runs.fail(request.id, "again", T0) is None
    assert await _kinds(stores, seeded) == [QuotaEntryKind.RESERVE, QuotaEntryKind.REFUND]
    assert await stores.quota.used_seconds(f"user:{seeded.user.id}", DAY) == 0


async def test_stale_finds_lost_queued_and_lapsed_running(stores: Stores) -> None:
    seeded = await seed(stores)
    waiting = await _queued(stores, seeded, 5)
    running = await _queued(stores, seeded, 5)
    alive = await _queued(stores, seeded, 5)
    await _claim(stores, running.id, "token-a")
    await _claim(stores, alive.id, "token-b", at_s=50)
    at = T0 + timedelta(seconds=60)
    stale = await stores.runs.stale(at, T0 + timedelta(seconds=1))
    assert [r.id for r in stale.queued] == [waiting.id]
    assert [r.id for r in stale.expired] == [running.id]
    assert (await stores.runs.stale(at, T0)).queued == []  # not waiting long enough yet


async def test_awaiting_handover_until_a_chat_got_the_copy(stores: Stores) -> None:
    seeded = await seed(stores)
    request = await _queued(stores, seeded)
    claim = await _claim(stores, request.id, "token-a")
    clip = _clip(request)
    copy = _copy(clip)
    await stores.runs.complete(claim, clip, copy, [], T0)
    waiting = await stores.runs.awaiting_handover("console", T0 - timedelta(hours=1))
    assert [r.id for r in waiting] == [request.id]
    assert await stores.runs.awaiting_handover("discord", T0 - timedelta(hours=1)) == []
    await stores.deliveries.mark_handed_over(copy.id, T0 + timedelta(seconds=5))
    await stores.deliveries.mark_handed_over(copy.id, T0 + timedelta(seconds=9))
    stored = await stores.deliveries.get(copy.id)
    assert stored is not None and stored.handed_over_at == T0 + timedelta(seconds=5)
    assert await stores.runs.awaiting_handover("console", T0 - timedelta(hours=1)) == []


async def test_one_holder_of_a_maintenance_lease_at_a_time(stores: Stores) -> None:
    leases = stores.maintenance
    assert await leases.acquire("sweep", "a", T0, 30)
    assert not await leases.acquire("sweep", "b", T0 + timedelta(seconds=10), 30)
    assert await leases.acquire("sweep", "a", T0 + timedelta(seconds=20), 30)  # renewed
    assert not await leases.acquire("sweep", "b", T0 + timedelta(seconds=45), 30)
    assert await leases.acquire("sweep", "b", T0 + timedelta(seconds=51), 30)  # lapsed
    assert await leases.acquire("other", "a", T0, 30)  # chores are independent
