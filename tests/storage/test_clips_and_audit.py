"""Clips, the audit log, and the append-only guards on the ledgers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from core.model import AuditEntry, Clip, Transformation
from core.ports import Stores
from storage.database import Database
from storage.errors import AppendOnlyViolation, StorageConflict
from storage.schema import AuditRow, QuotaEntryRow
from tests.storage.factories import T0, Seeded, render_request, seed, user_reservation


def _clip(seeded: Seeded, request_id: str, clip_id: str = "clip-1") -> Clip:
    return Clip(
        id=clip_id,
        request_id=request_id,
        recording_id="rec-1",
        transformation=Transformation.VOICE_SWAP,
        style="original",
        voice_model_id="voice-ada",
        license_id=seeded.license.id,
        license_version=seeded.license.version,
        requester_id=seeded.user.id,
        audio_sha256="f" * 64,
        duration_s=12.5,
        watermark_token="0123456789abcdef",
        created_at=T0,
    )


async def test_clips_round_trip_and_adding_twice_is_harmless(stores: Stores) -> None:
    seeded = await seed(stores)
    request, _ = await stores.requests.create(render_request(seeded), [], T0)
    clip = _clip(seeded, request.id)
    await stores.clips.add(clip)
    await stores.clips.add(clip)
    assert await stores.clips.get("clip-1") == clip
    assert await stores.clips.for_request(request.id) == clip
    assert await stores.clips.get("clip-2") is None
    assert await stores.clips.for_request("other") is None
    with pytest.raises(StorageConflict):  # one clip per request
        await stores.clips.add(_clip(seeded, request.id, clip_id="clip-2"))


async def test_audit_log_lists_newest_first_per_scope(stores: Stores) -> None:
    for minute in range(5):
        entry = AuditEntry(
            f"a-{minute}",
            "guild-1",
            "mod",
            "settings",
            f"#{minute}",
            T0 + timedelta(minutes=minute),
        )
        await stores.audit.append(entry)
    await stores.audit.append(AuditEntry("b-1", "guild-2", "mod", "settings", "x", T0))
    latest = await stores.audit.list("guild-1", limit=3)
    assert [e.id for e in latest] == ["a-4", "a-3", "a-2"]
    assert latest[0] == AuditEntry(
        "a-4", "guild-1", "mod", "settings", "#4", T0 + timedelta(minutes=4)
    )
    assert len(await stores.audit.list("guild-1")) == 5
    assert await stores.audit.list("guild-3") == []


async def test_ledgers_refuse_changes_from_code(database: Database) -> None:
    async with database.engine.begin() as connection:
        for statement in (
            update(QuotaEntryRow).values(seconds=0),
            delete(QuotaEntryRow),
            update(AuditRow).values(detail=""),
            delete(AuditRow),
        ):
            with pytest.raises(AppendOnlyViolation, match="append-only"):
                await connection.execute(statement)


async def test_ledgers_refuse_orm_changes(database: Database) -> None:
    await database.stores.audit.append(AuditEntry("a-1", "guild-1", "mod", "ban", "x", T0))
    async with AsyncSession(database.engine) as session:
        row = await session.get(AuditRow, "a-1")
        assert row is not None
        row.detail = "rewritten"
        with pytest.raises(AppendOnlyViolation):
            await session.commit()
    async with AsyncSession(database.engine) as session:
        row = await session.get(AuditRow, "a-1")
        assert row is not None
        await session.delete(row)
        with pytest.raises(AppendOnlyViolation):
            await session.commit()
    assert [e.detail for e in await database.stores.audit.list("guild-1")] == ["x"]


async def test_ledgers_refuse_changes_even_in_raw_sql(database: Database) -> None:
    stores = database.stores
    seeded = await seed(stores)
    await stores.requests.create(render_request(seeded), [user_reservation(seeded.user.id, 5)], T0)
    await stores.audit.append(AuditEntry("a-1", "guild-1", "mod", "ban", "x", T0))
    for statement in (
        "UPDATE quota_entry SET seconds = 0",
        "DELETE FROM quota_entry",
        "UPDATE audit_log SET detail = ''",
        "DELETE FROM audit_log",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.engine.begin() as connection:
                await connection.execute(text(statement))
    assert await stores.quota.used_seconds(f"user:{seeded.user.id}", T0.replace(hour=0)) == 5
