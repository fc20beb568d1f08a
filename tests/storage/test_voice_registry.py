"""The voice registry: all-or-nothing registration, profiles of demo voices, revocation."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from core.catalog.demo import ACTIVE_VOICE_ID, SECOND_VOICE_ID, demo_catalog
from core.entitlements._voice import VoiceScope
from core.model import ConsentRecord, RightType, SubjectKind, VoiceModel
from core.ports import Stores
from storage.database import Database
from storage.errors import NotFound, StorageConflict
from storage.repositories.voices import SqlVoiceRegistry
from storage.sessions import Sessions
from tests.storage.factories import T0

SCOPE = VoiceScope.build(["covers"], ["lofi", "acoustic"], ["DE", "AT"])


def voice(vid: str = "voice-wren", owner: str = "party-ada-nova") -> VoiceModel:
    return VoiceModel(vid, "Wren Hale", owner, ConsentRecord("cd" * 32, SCOPE.format(), date(2026, 11, 1)))


@pytest.fixture
async def registry(database: Database, stores: Stores) -> SqlVoiceRegistry:
    await stores.catalog.import_batch(demo_catalog().batch, T0)
    return SqlVoiceRegistry(Sessions(database.engine))


async def test_register_stores_voice_share_and_profile_together(
    registry: SqlVoiceRegistry, stores: Stores
) -> None:
    await registry.register(voice(), "ef" * 32, 34.5, T0)
    got = await registry.get("voice-wren")
    assert got is not None
    assert got.scope == SCOPE and got.profile_sha256 == "ef" * 32 and got.reference_seconds == 34.5
    assert await stores.catalog.get_voice_model("voice-wren") == voice()
    shares = await stores.catalog.shares_for(SubjectKind.VOICE_MODEL, "voice-wren")
    owed = [(s.party_id, s.right, s.fraction) for s in shares]
    assert owed == [("party-ada-nova", RightType.LIKENESS, Fraction(1))]


async def test_failed_registrations_leave_nothing_behind(registry: SqlVoiceRegistry, stores: Stores) -> None:
    before = await stores.catalog.list_voice_models()
    with pytest.raises(NotFound, match="party-nobody"):
        await registry.register(voice(owner="party-nobody"), "ef" * 32, 34.5, T0)
    with pytest.raises(StorageConflict, match="already registered"):
        await registry.register(voice(ACTIVE_VOICE_ID), "ef" * 32, 34.5, T0)
    assert await stores.catalog.list_voice_models() == before
    assert await stores.catalog.shares_for(SubjectKind.VOICE_MODEL, "voice-wren") == []
    ada = await registry.get(ACTIVE_VOICE_ID)
    assert ada is not None and ada.profile_sha256 is None  # the duplicate changed nothing


async def test_demo_voices_get_profiles_and_read_their_scopes(registry: SqlVoiceRegistry) -> None:
    await registry.attach_profile(SECOND_VOICE_ID, "aa" * 32, 38.0, T0)
    await registry.attach_profile(SECOND_VOICE_ID, "bb" * 32, 38.5, T0)  # replaced, not added
    kai = await registry.get(SECOND_VOICE_ID)
    assert kai is not None and kai.profile_sha256 == "bb" * 32
    assert kai.scope == VoiceScope.build(["covers"], ["a-cappella", "acoustic", "lofi"])
    names = [v.model.name for v in await registry.list()]
    assert names == sorted(names) and {"Ada Nova", "Kai Orin", "Celeste Marlow"} <= set(names)
    with pytest.raises(NotFound):
        await registry.attach_profile("voice-nobody", "aa" * 32, 38.0, T0)


async def test_revocation_is_immediate_and_keeps_its_first_time(registry: SqlVoiceRegistry) -> None:
    first = await registry.revoke(ACTIVE_VOICE_ID, T0)
    again = await registry.revoke(ACTIVE_VOICE_ID, T0 + timedelta(days=1))
    assert first.revoked_at == T0 and again.revoked_at == T0
    with pytest.raises(NotFound):
        await registry.revoke("voice-nobody", T0)
