"""The catalog repository: import all-or-nothing and idempotent, immutable license versions."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from fractions import Fraction

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.model import (
    ESCROW_PARTY_ID,
    UNCLAIMED_PARTY_ID,
    OptDeclaration,
    Party,
    PartyKind,
    Recording,
    RightType,
    Share,
    SubjectKind,
    Transformation,
)
from core.ports import CatalogBatch, Stores
from storage.database import Database
from storage.errors import NotFound, StorageConflict
from tests.storage.factories import T0, catalog, terms


async def _counts(stores: Stores) -> tuple[int, ...]:
    cat = stores.catalog
    license_versions = 0
    for recording in await cat.list_recordings():
        current = await cat.current_license(recording.id)
        license_versions += current.version if current else 0
    return (
        len(await cat.list_parties()),
        len(await cat.list_works()),
        len(await cat.list_recordings()),
        len(await cat.list_voice_models()),
        len(await cat.shares_for(SubjectKind.WORK, "work-1")),
        len(await cat.opt_declarations(SubjectKind.WORK, "work-2")),
        license_versions,
    )


async def test_import_then_read_everything_back(stores: Stores) -> None:
    batch = catalog()
    await stores.catalog.import_batch(batch, T0)
    cat = stores.catalog

    assert await cat.list_parties() == sorted(batch.parties, key=lambda p: p.id)
    assert await cat.get_party("party-pub") == batch.parties[1]
    assert await cat.get_party("nobody") is None
    assert await cat.list_works() == list(batch.works)
    assert await cat.get_work("work-2") == batch.works[1]
    assert await cat.list_recordings() == list(batch.recordings)
    golden = await cat.get_recording("rec-1")
    assert golden == batch.recordings[0]
    assert golden is not None and golden.aliases == ("golden", "hour")
    assert await cat.get_voice_model("voice-ada") == batch.voice_models[0]
    assert await cat.list_voice_models() == list(batch.voice_models)

    work_shares = await cat.shares_for(SubjectKind.WORK, "work-1")
    assert work_shares == [s for s in batch.shares if s.subject_id == "work-1"]
    assert work_shares[0].fraction == Fraction(1, 3)  # exact, not 0.333…
    assert await cat.shares_for(SubjectKind.VOICE_MODEL, "voice-ada") == [batch.shares[-1]]

    license_ = await cat.current_license("rec-1")
    assert license_ is not None
    assert (license_.version, license_.recording_id, license_.created_at) == (1, "rec-1", T0)
    assert license_.terms == terms()
    assert license_.revoked_at is None
    assert await cat.get_license(license_.id, 1) == license_
    assert await cat.get_license(license_.id, 2) is None

    assert await cat.opt_declarations(SubjectKind.WORK, "work-2") == list(batch.opt_declarations)


async def test_reimporting_the_same_batch_changes_nothing(stores: Stores) -> None:
    await stores.catalog.import_batch(catalog(), T0)
    before = await _counts(stores)
    license_before = await stores.catalog.current_license("rec-1")
    await stores.catalog.import_batch(catalog(), T0 + timedelta(days=1))
    assert await _counts(stores) == before
    assert await stores.catalog.current_license("rec-1") == license_before


async def test_a_bad_row_stores_nothing_at_all(stores: Stores) -> None:
    good = catalog()
    orphan = Recording("rec-x", "work-missing", "Orphan", "Nobody", "US-AB1-26-00099", 1.0)
    broken = dataclasses.replace(good, recordings=[*good.recordings, orphan])
    with pytest.raises(StorageConflict, match="conflicts with stored data"):
        await stores.catalog.import_batch(broken, T0)
    assert await _counts(stores) == (0, 0, 0, 0, 0, 0, 0)


async def test_a_failing_import_keeps_the_previous_catalog(stores: Stores) -> None:
    await stores.catalog.import_batch(catalog(), T0)
    before = await _counts(stores)
    renamed = Party("party-pub", "Renamed House", PartyKind.PUBLISHER)
    dangling = Share(SubjectKind.WORK, "work-1", "party-ghost", RightType.PERF, Fraction(1))
    batch = CatalogBatch(parties=[renamed], shares=[dangling], licenses=[("rec-1", terms(99))])
    with pytest.raises(StorageConflict):
        await stores.catalog.import_batch(batch, T0)
    assert await _counts(stores) == before
    party = await stores.catalog.get_party("party-pub")
    assert party is not None and party.name == "Pub House"


async def test_shares_given_to_unclaimed_create_its_party_row_once(stores: Stores) -> None:
    """A fresh database has no UNCLAIMED row; the first import that names it makes it."""
    full = catalog()
    undeclared = [p for p in full.parties if p.id != UNCLAIMED_PARTY_ID]
    await stores.catalog.import_batch(dataclasses.replace(full, parties=undeclared), T0)
    filled = [
        Share(SubjectKind.WORK, "work-1", "party-pub", RightType.PERF, Fraction(1, 2)),
        Share(SubjectKind.WORK, "work-1", UNCLAIMED_PARTY_ID, RightType.PERF, Fraction(1, 2)),
    ]
    await stores.catalog.import_batch(CatalogBatch(shares=filled), T0)
    await stores.catalog.import_batch(CatalogBatch(shares=filled), T0)
    assert await stores.catalog.shares_for(SubjectKind.WORK, "work-1") == filled
    unclaimed = await stores.catalog.get_party(UNCLAIMED_PARTY_ID)
    assert unclaimed is not None and unclaimed.kind is PartyKind.SYSTEM
    assert await stores.catalog.get_party(ESCROW_PARTY_ID) is None  # only what is named


async def test_import_updates_rows_and_replaces_only_the_named_subjects_shares(
    stores: Stores,
) -> None:
    await stores.catalog.import_batch(catalog(), T0)
    new_split = [
        Share(SubjectKind.WORK, "work-1", "party-writer", RightType.PERF, Fraction(1)),
        Share(SubjectKind.WORK, "work-1", "party-pub", RightType.MECH, Fraction(1)),
    ]
    renamed = Party("party-label", "Bigger Label", PartyKind.LABEL)
    await stores.catalog.import_batch(CatalogBatch(parties=[renamed], shares=new_split), T0)
    assert await stores.catalog.shares_for(SubjectKind.WORK, "work-1") == new_split
    master = await stores.catalog.shares_for(SubjectKind.RECORDING, "rec-1")
    assert [s.party_id for s in master] == ["party-label"]
    assert await stores.catalog.get_party("party-label") == renamed


async def test_changed_terms_append_a_version_and_keep_the_old_one(stores: Stores) -> None:
    await stores.catalog.import_batch(catalog(), T0)
    first = await stores.catalog.current_license("rec-1")
    assert first is not None
    later = T0 + timedelta(hours=1)
    await stores.catalog.import_batch(CatalogBatch(licenses=[("rec-1", terms(45))]), later)
    second = await stores.catalog.current_license("rec-1")
    assert second is not None
    assert (second.id, second.version, second.created_at) == (first.id, 2, later)
    assert second.terms.max_seconds_by_tier["free"] == 45
    assert await stores.catalog.get_license(first.id, 1) == first


async def test_add_license_version_numbers_versions_per_recording(stores: Stores) -> None:
    await stores.catalog.import_batch(catalog(), T0)
    v2 = await stores.catalog.add_license_version("rec-1", terms(10), T0)
    v3 = await stores.catalog.add_license_version("rec-1", terms(20), T0)
    assert (v2.version, v3.version) == (2, 3)
    assert v2.id == v3.id
    assert await stores.catalog.current_license("rec-1") == v3
    assert await stores.catalog.get_license(v2.id, 2) == v2
    with pytest.raises(NotFound):
        await stores.catalog.add_license_version("rec-missing", terms(), T0)


async def test_first_license_of_a_recording_starts_at_version_one(stores: Stores) -> None:
    batch = catalog()
    await stores.catalog.import_batch(dataclasses.replace(batch, licenses=[]), T0)
    assert await stores.catalog.current_license("rec-1") is None
    first = await stores.catalog.add_license_version("rec-1", terms(), T0)
    assert first.version == 1
    other = await stores.catalog.add_license_version("rec-2", terms(), T0)
    assert other.id != first.id


async def test_license_versions_are_immutable_except_revocation(database: Database) -> None:
    stores = database.stores
    await stores.catalog.import_batch(catalog(), T0)
    license_ = await stores.catalog.current_license("rec-1")
    assert license_ is not None
    catalog_repo = stores.catalog
    assert hasattr(catalog_repo, "revoke_license")
    await catalog_repo.revoke_license(license_.id, 1, T0 + timedelta(days=3))
    await catalog_repo.revoke_license(license_.id, 1, T0 + timedelta(days=9))  # first one stays
    revoked = await stores.catalog.current_license("rec-1")
    assert revoked is not None
    assert revoked.revoked_at == T0 + timedelta(days=3)
    assert revoked.terms == license_.terms

    for statement in (
        "UPDATE license_version SET terms = '{}'",
        "UPDATE license_version SET created_at = revoked_at",
        "DELETE FROM license_version",
    ):
        with pytest.raises(DBAPIError, match="immutable"):
            async with database.engine.begin() as connection:
                await connection.execute(text(statement))


async def test_recording_audio_survives_a_reimport_without_audio(stores: Stores) -> None:
    await stores.catalog.import_batch(catalog(), T0)
    stems = {"drums": "d" * 64, "vocals": "e" * 64}
    await stores.catalog.set_recording_audio("rec-1", "a" * 64, stems)
    await stores.catalog.import_batch(catalog(), T0)
    recording = await stores.catalog.get_recording("rec-1")
    assert recording is not None
    assert (recording.audio_sha256, dict(recording.stems)) == ("a" * 64, stems)

    with_audio = dataclasses.replace(catalog().recordings[0], audio_sha256="b" * 64, stems={})
    await stores.catalog.import_batch(CatalogBatch(recordings=[with_audio]), T0)
    recording = await stores.catalog.get_recording("rec-1")
    assert recording is not None
    assert (recording.audio_sha256, dict(recording.stems)) == ("b" * 64, stems)

    with pytest.raises(NotFound):
        await stores.catalog.set_recording_audio("rec-missing", "a" * 64, {})


async def test_voice_revocation_is_kept_and_never_undone_by_import(stores: Stores) -> None:
    await stores.catalog.import_batch(catalog(), T0)
    when = T0 + timedelta(days=1)
    await stores.catalog.revoke_voice_model("voice-ada", when)
    await stores.catalog.revoke_voice_model("voice-ada", when + timedelta(days=1))
    await stores.catalog.import_batch(catalog(), T0 + timedelta(days=5))
    voice = await stores.catalog.get_voice_model("voice-ada")
    assert voice is not None and voice.revoked and voice.revoked_at == when
    with pytest.raises(NotFound):
        await stores.catalog.revoke_voice_model("voice-nobody", when)


async def test_opt_declarations_are_appended_oldest_first(stores: Stores) -> None:
    await stores.catalog.import_batch(catalog(), T0)
    out = OptDeclaration(SubjectKind.WORK, "work-2", "party-writer", opted_in=False)
    await stores.catalog.add_opt_declaration(out)
    yesterday = T0 - timedelta(days=1)
    dated = dataclasses.replace(out, opted_in=True, transformations=None, declared_at=yesterday)
    await stores.catalog.add_opt_declaration(dated)
    found = await stores.catalog.opt_declarations(SubjectKind.WORK, "work-2")
    assert [d.opted_in for d in found] == [True, True, False]  # by time: -2 days, -1 day, now
    assert found[1] == dated
    assert found[2].declared_at is not None and found[2].transformations is None
    assert found[0].transformations == frozenset({Transformation.COVER})
    assert await stores.catalog.opt_declarations(SubjectKind.RECORDING, "rec-2") == []


async def test_import_appends_a_declaration_only_when_it_changes(stores: Stores) -> None:
    await stores.catalog.import_batch(catalog(), T0)
    undated_out = OptDeclaration(SubjectKind.WORK, "work-1", "party-writer", opted_in=False)
    batch = CatalogBatch(opt_declarations=[undated_out])
    await stores.catalog.import_batch(batch, T0)
    await stores.catalog.import_batch(batch, T0 + timedelta(days=1))
    found = await stores.catalog.opt_declarations(SubjectKind.WORK, "work-1")
    assert len(found) == 1 and found[0].declared_at == T0
