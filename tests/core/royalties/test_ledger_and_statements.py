"""Postings, reversals, statements and DSR files (invariants 2, 3, 8, 9)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.model import RightType
from core.royalties.allocation import Method, allocate, group_weights
from core.royalties.dsr import DsrError, dsr_filename, read_total, render_dsr
from core.royalties.ledger import (
    PARTY_ACCOUNT,
    POOL_ACCOUNT,
    Leg,
    Posting,
    PostingKind,
    UnbalancedPosting,
    allocation_posting,
    balances,
    reversal_of,
)
from core.royalties.rules import RULES_V1
from core.royalties.statements import (
    RecordingInfo,
    Usage,
    build_statement,
    render_csv,
    render_json,
)
from tests.core.royalties.worlds import PARTIES, PERIOD, World, usage_counts, worlds


@st.composite
def postings(draw: st.DrawFn) -> tuple[World, Posting]:
    world = draw(worlds(recordings=2))
    counts = draw(usage_counts(world))
    weights = group_weights(counts, method=Method.PRO_RATA, rules=RULES_V1, classes=world.classes)
    pool = draw(st.integers(1, 10**10))
    legs = allocate(pool, weights, classes=world.classes, book=world.book, seed="s")
    return world, allocation_posting("p1", "run1", PERIOD, "EUR", pool, legs)


@settings(max_examples=80, deadline=None)
@given(postings(), postings())
def test_a_reversal_restores_the_balances_exactly(a: tuple[World, Posting], b: tuple[World, Posting]) -> None:
    """Invariant 8."""
    _w, first = a
    _w, second = b
    second = Posting("p2", "run2", second.kind, second.period, second.currency, second.legs)
    before = balances([first])
    undo = reversal_of(second, "p3", "wrong pool")
    assert undo.reverses == "p2" and undo.kind is PostingKind.REVERSAL
    assert balances([first, second, undo]) == before
    assert balances([second, undo]) == {}


def test_unbalanced_postings_are_refused() -> None:
    with pytest.raises(UnbalancedPosting):
        Posting("p", "r", PostingKind.ALLOCATION, PERIOD, "EUR",
                (Leg(POOL_ACCOUNT, -10), Leg(PARTY_ACCOUNT, 9, "party-a")))


def _recordings() -> dict[str, RecordingInfo]:
    return {
        f"rec-{i}": RecordingInfo(f"rec-{i}", f"QZAAA2600{i:03d}", f"T-000.000.00{i}-0", f"Song\t{i}",
                                  "Artist")
        for i in range(3)
    }


def _usage(legs: tuple[Leg, ...]) -> dict[tuple[str, str, str], Usage]:
    usage: dict[tuple[str, str, str], Usage] = {}
    for leg in legs:
        if leg.recording_id:
            usage[(leg.recording_id, leg.territory or "", leg.played_period or "")] = Usage(7, 5)
    return usage


@settings(max_examples=60, deadline=None)
@given(postings())
def test_statements_and_dsr_files_reconcile_with_the_ledger(case: tuple[World, Posting]) -> None:
    """Invariants 3 and 9: byte-identical output, and every file adds up to the party's balance."""
    _world, posting = case
    owed = balances([posting])
    for party in PARTIES:
        kwargs = dict(party_id=party, party_name=party.title(), ipi=None, period=PERIOD,
                      currency="EUR", run_id="run1", recordings=_recordings(),
                      usage=_usage(posting.legs))
        statement = build_statement(legs=posting.legs, **kwargs)  # type: ignore[arg-type]
        again = build_statement(legs=tuple(reversed(posting.legs)), **kwargs)  # type: ignore[arg-type]
        assert render_csv(statement) == render_csv(again)
        assert render_json(statement) == render_json(again)
        assert statement.total == owed.get(f"party:{party}", 0)
        assert read_total(render_dsr(statement, "WW")) == statement.total
        by_territory = build_statement(legs=posting.legs, by_territory=True, **kwargs)  # type: ignore[arg-type]
        per_file = defaultdict(list)
        for line in by_territory.lines:
            per_file[line.territory].append(line)
        total = 0
        for territory, lines in per_file.items():
            part = type(by_territory)(**{**by_territory.__dict__, "lines": tuple(lines)})
            total += read_total(render_dsr(part, territory))
        assert total == statement.total


def test_reversed_lines_vanish_from_statements_and_late_lines_are_marked() -> None:
    legs = (
        Leg(POOL_ACCOUNT, -300),
        Leg(PARTY_ACCOUNT, 100, "party-a", RightType.PERF, "rec-0", "DE", PERIOD),
        Leg(PARTY_ACCOUNT, 200, "party-a", RightType.MASTER, "rec-1", "WW", "2026-10"),
    )
    posting = Posting("p", "r", PostingKind.ALLOCATION, PERIOD, "EUR", legs)
    undo = reversal_of(posting, "q", "oops")
    statement = build_statement(party_id="party-a", party_name="A", ipi=None, period=PERIOD,
                                currency="EUR", run_id=None, legs=posting.legs + undo.legs,
                                recordings=_recordings(), usage={})
    assert statement.lines == ()
    statement = build_statement(party_id="party-a", party_name="A", ipi=None, period=PERIOD,
                                currency="EUR", run_id="r", legs=posting.legs,
                                recordings=_recordings(), usage=_usage(posting.legs))
    text = render_csv(statement)
    assert "QZAAA2600001" in text and ",2026-10,yes," in text
    assert text.splitlines()[-1].split(",")[-2] == "0.000300"
    dsr = render_dsr(statement, "WW")
    assert "Song 1" in dsr  # a tab in a title never splits a record
    assert read_total(dsr) == 300


def test_a_tampered_dsr_is_detected() -> None:
    legs = (Leg(POOL_ACCOUNT, -5), Leg(PARTY_ACCOUNT, 5, "party-a", RightType.PERF, "rec-0", "DE", PERIOD))
    statement = build_statement(party_id="party-a", party_name="A", ipi="00012345678",
                                period=PERIOD, currency="EUR", run_id="r", legs=legs,
                                recordings=_recordings(), usage={})
    text = render_dsr(statement, "DE")
    assert read_total(text) == 5
    assert text.endswith("FOOT\t9\t0.000005\n")
    text = text.replace("FOOT\t9\t0.000005", "FOOT\t9\t0.000006")
    with pytest.raises(DsrError, match="FOOT"):
        read_total(text)
    assert dsr_filename("party a/b", "2026-11", "DE", 1, 2) == "DSR_REFRAIN_party-a-b_202611_DE_1of2.tsv"
