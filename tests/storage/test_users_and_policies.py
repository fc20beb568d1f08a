"""Users (identity, settings, export, erasure) and per-scope policies."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from core.model import AuditEntry, Clip, RequestState, ScopePolicy, Transformation
from core.ports import Stores
from storage.errors import NotFound
from storage.repositories.users import ERASED_NAME
from tests.storage.factories import T0, render_request, seed, user_reservation


async def test_get_or_create_maps_a_platform_id_to_one_user(stores: Stores) -> None:
    first = await stores.users.get_or_create("discord", "42", "Alice", T0)
    again = await stores.users.get_or_create("discord", "42", "Alice", T0 + timedelta(days=1))
    assert again == first
    assert (first.tier, first.country, first.terms_version, first.created_at) == (
        "free",
        None,
        None,
        T0,
    )
    other_platform = await stores.users.get_or_create("telegram", "42", "Alice", T0)
    assert other_platform.id != first.id
    assert await stores.users.get(first.id) == first
    assert await stores.users.find("discord", "42") == first
    assert await stores.users.find("discord", "43") is None
    assert await stores.users.get("nobody") is None


async def test_get_or_create_keeps_the_display_name_current(stores: Stores) -> None:
    first = await stores.users.get_or_create("discord", "42", "Alice", T0)
    renamed = await stores.users.get_or_create("discord", "42", "Alice B.", T0)
    assert (renamed.id, renamed.display_name) == (first.id, "Alice B.")


async def test_settings_are_stored(stores: Stores) -> None:
    user = await stores.users.get_or_create("console", "alice", "Alice", T0)
    await stores.users.set_tier(user.id, "pro")
    await stores.users.set_country(user.id, "DE")
    await stores.users.accept_terms(user.id, "2026-11", T0)
    stored = await stores.users.get(user.id)
    assert stored is not None
    assert (stored.tier, stored.country, stored.terms_version) == ("pro", "DE", "2026-11")
    await stores.users.set_country(user.id, None)
    stored = await stores.users.get(user.id)
    assert stored is not None and stored.country is None
    with pytest.raises(NotFound):
        await stores.users.set_tier("nobody", "pro")


async def test_export_holds_everything_about_the_user_as_json(stores: Stores) -> None:
    seeded = await seed(stores)
    user = seeded.user
    await stores.users.accept_terms(user.id, "2026-11", T0)
    request, _ = await stores.requests.create(
        render_request(seeded), [user_reservation(user.id, 10)], T0
    )
    clip = Clip(
        id="clip-1",
        request_id=request.id,
        recording_id="rec-1",
        transformation=Transformation.COVER,
        style="lofi",
        voice_model_id=None,
        license_id=seeded.license.id,
        license_version=1,
        requester_id=user.id,
        audio_sha256="c" * 64,
        duration_s=10.0,
        watermark_token=None,
        created_at=T0,
    )
    await stores.clips.add(clip)
    await stores.requests.transition(
        request.id, frozenset({RequestState.QUEUED}), RequestState.DELIVERED, T0, clip_id="clip-1"
    )
    await stores.audit.append(
        AuditEntry("a-1", "guild-1", user.id, "settings.cooldown", "60 s", T0)
    )
    await stores.audit.append(AuditEntry("a-2", "guild-1", "mod", "ban", f"banned {user.id}", T0))
    await stores.audit.append(AuditEntry("a-3", "guild-1", "mod", "ban", "banned someone", T0))

    data = await stores.users.export(user.id)
    assert json.loads(json.dumps(data)) == data  # JSON-ready, nothing lost in a round trip
    assert data["user"]["id"] == user.id
    assert data["user"]["platform_user_id"] == "alice"
    assert data["user"]["terms_accepted_at"] == T0.isoformat()
    assert [r["id"] for r in data["requests"]] == [request.id]
    assert data["requests"][0]["state"] == "DELIVERED"
    assert [c["id"] for c in data["clips"]] == ["clip-1"]
    assert [e["kind"] for e in data["quota_entries"]] == ["RESERVE", "COMMIT"]
    assert {a["id"] for a in data["audit_entries"]} == {"a-1", "a-2"}
    with pytest.raises(NotFound):
        await stores.users.export("nobody")


async def test_deleting_personal_data_keeps_the_id_and_history(stores: Stores) -> None:
    seeded = await seed(stores)
    user = seeded.user
    await stores.users.set_country(user.id, "FR")
    request, _ = await stores.requests.create(render_request(seeded), [], T0)

    await stores.users.delete_personal_data(user.id)
    await stores.users.delete_personal_data(user.id)  # twice is fine
    erased = await stores.users.get(user.id)
    assert erased is not None
    assert (erased.display_name, erased.country) == (ERASED_NAME, None)
    assert erased.platform_user_id == f"deleted:{user.id}"
    assert await stores.users.find("console", "alice") is None
    stored = await stores.requests.get(request.id)
    assert stored is not None and stored.user_id == user.id

    comeback = await stores.users.get_or_create("console", "alice", "Alice", T0)
    assert comeback.id != user.id
    with pytest.raises(NotFound):
        await stores.users.delete_personal_data("nobody")


async def test_policy_defaults_to_permissive(stores: Stores) -> None:
    assert await stores.policies.get("guild-1") == ScopePolicy("guild-1")


async def test_policy_round_trips_and_is_replaced_on_save(stores: Stores) -> None:
    policy = ScopePolicy(
        scope_id="guild-1",
        allowed_styles=frozenset({"lofi", "jazz"}),
        allowed_voices=frozenset(),
        allowed_channels=None,
        max_clip_seconds=30,
        cooldown_s=60,
        banned_users=frozenset({"u1", "u2"}),
        pool_seconds_per_day=600,
        default_country="DE",
    )
    await stores.policies.save(policy)
    assert await stores.policies.get("guild-1") == policy
    relaxed = ScopePolicy("guild-1", cooldown_s=5)
    await stores.policies.save(relaxed)
    assert await stores.policies.get("guild-1") == relaxed
    assert await stores.policies.get("guild-2") == ScopePolicy("guild-2")
