"""The use case's own pure parts: qualification batches, the usage summary, the catalog facts."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from core.catalog.demo import REVOKED_VOICE_ID, demo_catalog
from core.model import SubjectKind
from core.royalties import CatalogRows, catalog_facts
from core.royalties.catalog_facts import LicenseRef, RecordingRef, VoiceRef
from core.royalties.ports import UsageRow
from core.royalties.runs import listener_ranges, usage_book
from core.royalties.statements import Usage


@given(st.lists(st.integers(1, 40), max_size=30), st.integers(1, 100))
def test_listener_ranges_cover_every_listener_once_and_never_split_one(
    sizes: list[int], chunk: int
) -> None:
    counts = [(f"{n:04d}", size) for n, size in enumerate(sizes)]
    ranges = listener_ranges(counts, chunk)
    inside = [[key for key, _n in counts if low <= key <= high] for low, high in ranges]
    assert [key for keys in inside for key in keys] == [key for key, _n in counts]
    sized = dict(counts)
    assert all(sum(sized[k] for k in keys[:-1]) < chunk for keys in inside)


def _row(recording: str, territory: str, plays: int, qualified: bool) -> UsageRow:
    return UsageRow(recording, "COVER", None, "lic", 1, None, territory, "2026-10", 0, "STREAM",
                    False, qualified, None, plays)


def test_usage_book_counts_plays_and_qualified_plays_per_recording_and_territory() -> None:
    rows = [_row("r1", "DE", 3, True), _row("r1", "DE", 2, False), _row("r1", "FR", 1, True),
            _row("r2", "DE", 4, False)]
    assert usage_book(rows) == {
        ("r1", "DE", "2026-10"): Usage(5, 3),
        ("r1", "FR", "2026-10"): Usage(1, 1),
        ("r2", "DE", "2026-10"): Usage(4, 0),
    }


def _demo_rows() -> CatalogRows:
    batch = demo_catalog().batch
    return CatalogRows(
        shares=list(batch.shares),
        recordings=[RecordingRef(r.id, r.work_id, r.artist) for r in batch.recordings],
        declarations=list(batch.opt_declarations),
        licenses=[LicenseRef(f"lic-{rid}", 1, {"COVER": {"PERF": "1/2"}}) for rid, _t in batch.licenses],
        voices=[VoiceRef(v.id, v.revoked_at) for v in batch.voice_models],
    )


def test_the_catalog_digest_names_the_facts_not_the_order_they_were_read_in() -> None:
    rows = _demo_rows()
    facts = catalog_facts(rows)
    shuffled = random.Random(1)
    mixed = CatalogRows(
        shares=shuffled.sample(list(rows.shares), len(rows.shares)),
        recordings=shuffled.sample(list(rows.recordings), len(rows.recordings)),
        declarations=rows.declarations,  # their order is their history
        licenses=shuffled.sample(list(rows.licenses), len(rows.licenses)),
        voices=shuffled.sample(list(rows.voices), len(rows.voices)),
    )
    assert catalog_facts(mixed).digest == facts.digest
    voices = [VoiceRef(v.voice_model_id, v.revoked_at or datetime(2030, 1, 1, tzinfo=UTC))
              for v in rows.voices]
    assert catalog_facts(dataclasses.replace(rows, voices=voices)).digest != facts.digest


def test_the_catalog_facts_know_what_may_be_held_in_escrow() -> None:
    facts = catalog_facts(_demo_rows())
    assert REVOKED_VOICE_ID in facts.revoked_voices
    opted_out = {sid for kind, sid in facts.opt_outs if kind is SubjectKind.WORK}
    assert opted_out, "the demo catalog has a work that opts out"
    assert {r for r, w in facts.work_of.items() if w in opted_out} <= facts.escrow_recordings()
