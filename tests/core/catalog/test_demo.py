"""The demo catalog is valid and covers every licensing path the demo shows."""

from __future__ import annotations

from fractions import Fraction

from core.catalog.demo import ACTIVE_VOICE_ID, demo_catalog
from core.catalog.identifiers import validate_ipi, validate_isrc, validate_iswc
from core.catalog.shares import find_imbalances
from core.model import WORLDWIDE, RightType, Transformation
from core.stylebook import STYLES


def test_identifiers_are_valid_and_canonical() -> None:
    batch = demo_catalog().batch
    for work in batch.works:
        assert validate_iswc(work.iswc) == work.iswc
    for recording in batch.recordings:
        assert validate_isrc(recording.isrc) == recording.isrc
        assert recording.isrc.startswith("QZ")
    for party in batch.parties:
        if party.ipi is not None:
            assert validate_ipi(party.ipi) == party.ipi


def test_songs_and_recordings_match() -> None:
    demo = demo_catalog()
    titles = {r.title for r in demo.batch.recordings}
    assert len(titles) >= 8
    assert {"Golden Hour", "Golden Gate Lullaby"} <= titles
    assert {s.recording_id for s in demo.songs} == {r.id for r in demo.batch.recordings}
    assert len({s.seed for s in demo.songs}) == len(demo.songs)
    for recording in demo.batch.recordings:
        assert 32 <= recording.duration_s <= 40
        assert recording.audio_sha256 is None and not recording.stems
    work_ids = {w.id for w in demo.batch.works}
    assert all(r.work_id in work_ids for r in demo.batch.recordings)


def test_shares_sum_to_one_everywhere() -> None:
    batch = demo_catalog().batch
    assert find_imbalances(batch.shares) == []
    party_ids = {p.id for p in batch.parties}
    assert all(s.party_id in party_ids for s in batch.shares)


def test_parties_two_majors_three_independents() -> None:
    batch = demo_catalog().batch
    names = {p.name for p in batch.parties}
    assert {"Northstar Music Group", "Harbor Records"} <= names
    assert sum(p.independent for p in batch.parties) == 3
    thirds = [s for s in batch.shares if s.right is RightType.MECH and s.fraction == Fraction(1, 3)]
    assert len(thirds) == 3
    masters = {s.fraction for s in batch.shares if s.right is RightType.MASTER}
    assert {Fraction(7, 10), Fraction(3, 10)} <= masters


def test_licenses_differ_as_the_demo_needs() -> None:
    batch = demo_catalog().batch
    titles = {r.id: r.title for r in batch.recordings}
    terms = {titles[rid]: t for rid, t in batch.licenses}
    assert set(terms) == set(titles.values())
    golden = terms["Golden Hour"]
    assert {Transformation.COVER, Transformation.REMIX} <= golden.transformations
    assert golden.styles is None and golden.territories == {WORLDWIDE}
    assert any(t.styles is not None for t in terms.values())
    assert any(Transformation.REMIX not in t.transformations for t in terms.values())
    restricted = [t for t in terms.values() if WORLDWIDE not in t.territories]
    assert len(restricted) == 1 and restricted[0].territories == {"DE", "AT", "CH"}
    assert len({tuple(sorted(t.max_seconds_by_tier.items())) for t in terms.values()}) >= 2
    with_ada = [
        t
        for t in terms.values()
        if ACTIVE_VOICE_ID in t.voice_models
        and WORLDWIDE in t.territories
        and Transformation.VOICE_SWAP in t.transformations
    ]
    assert len(with_ada) >= 2
    assert any(
        WORLDWIDE in t.territories and ACTIVE_VOICE_ID not in t.voice_models for t in terms.values()
    )
    for t in terms.values():
        assert t.styles is None or t.styles <= set(STYLES)
        assert set(t.bucket_templates) == set(t.transformations)
        for transformation, split in t.bucket_templates.items():
            assert sum(split.values(), Fraction(0)) == 1
            assert (RightType.LIKENESS in split) == (transformation is Transformation.VOICE_SWAP)


def test_one_opt_out_and_one_revoked_voice() -> None:
    batch = demo_catalog().batch
    out = [d for d in batch.opt_declarations if not d.opted_in]
    assert len(out) == 1
    holder = next(p for p in batch.parties if p.id == out[0].party_id)
    assert holder.independent
    revoked = [v for v in batch.voice_models if v.revoked]
    active = [v for v in batch.voice_models if not v.revoked]
    assert len(revoked) == 1 and len(active) == 2 and ACTIVE_VOICE_ID in {v.id for v in active}
    assert all(len(v.consent.document_sha256) == 64 for v in batch.voice_models)


def test_deterministic() -> None:
    assert demo_catalog() == demo_catalog()
