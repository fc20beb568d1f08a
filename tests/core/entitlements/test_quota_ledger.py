"""Quota ledger rules, driven by random sequences of reserve/commit/refund."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from core.entitlements import LedgerError, apply, period_bounds, used_seconds
from core.model import QuotaEntry, QuotaEntryKind

START = datetime(2026, 11, 28, tzinfo=UTC)
LIMIT = 60


def entry(request: str, kind: QuotaEntryKind, seconds: int) -> QuotaEntry:
    return QuotaEntry(f"{request}-{kind.value}", "user:u", request, kind, seconds, START, START)


class Ledger(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.entries: list[QuotaEntry] = []
        self.reserved: dict[str, int] = {}
        self.settled: set[str] = set()
        self.next_id = 0

    @rule(seconds=st.integers(1, 40))
    def reserve(self, seconds: int) -> None:
        request = f"r{self.next_id}"
        self.next_id += 1
        if used_seconds(self.entries, START) + seconds > LIMIT:
            return  # the store refuses it (QuotaExceeded)
        self.entries = apply(self.entries, entry(request, QuotaEntryKind.RESERVE, seconds))
        self.reserved[request] = seconds

    @precondition(lambda self: bool(set(self.reserved) - self.settled))
    @rule(data=st.data(), refund=st.booleans())
    def settle(self, data: st.DataObject, refund: bool) -> None:
        request = data.draw(st.sampled_from(sorted(set(self.reserved) - self.settled)))
        before = used_seconds(self.entries, START)
        kind = QuotaEntryKind.REFUND if refund else QuotaEntryKind.COMMIT
        seconds = self.reserved[request] if refund else 0
        self.entries = apply(self.entries, entry(request, kind, seconds))
        self.settled.add(request)
        after = used_seconds(self.entries, START)
        assert after == before - (self.reserved[request] if refund else 0)

    @precondition(lambda self: bool(self.settled))
    @rule(data=st.data(), refund=st.booleans())
    def settle_twice_is_rejected(self, data: st.DataObject, refund: bool) -> None:
        request = data.draw(st.sampled_from(sorted(self.settled)))
        kind = QuotaEntryKind.REFUND if refund else QuotaEntryKind.COMMIT
        with pytest.raises(LedgerError):
            apply(self.entries, entry(request, kind, self.reserved[request] if refund else 0))

    @invariant()
    def never_negative_never_over(self) -> None:
        used = used_seconds(self.entries, START)
        assert 0 <= used <= LIMIT


TestLedger = Ledger.TestCase
TestLedger.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)


def test_refund_must_match_reservation_and_needs_one() -> None:
    ledger = apply([], entry("a", QuotaEntryKind.RESERVE, 20))
    with pytest.raises(LedgerError):
        apply(ledger, entry("a", QuotaEntryKind.REFUND, 21))
    with pytest.raises(LedgerError):
        apply([], entry("b", QuotaEntryKind.REFUND, 5))
    with pytest.raises(LedgerError):
        apply(ledger, entry("a", QuotaEntryKind.RESERVE, 20))


def test_other_periods_do_not_count() -> None:
    old = QuotaEntry("x", "user:u", "x", QuotaEntryKind.RESERVE, 50, START - timedelta(days=1),
                     START)
    assert used_seconds([old], START) == 0


@pytest.mark.parametrize(
    ("period", "now", "start", "end"),
    [
        ("day", datetime(2026, 11, 28, 23, 59, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC),
         datetime(2026, 11, 29, tzinfo=UTC)),
        ("day", datetime(2026, 11, 28, 0, 0, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC),
         datetime(2026, 11, 29, tzinfo=UTC)),
        ("week", datetime(2026, 11, 28, 5, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC),
         datetime(2026, 11, 30, tzinfo=UTC)),
        ("month", datetime(2026, 2, 28, 5, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC),
         datetime(2026, 3, 1, tzinfo=UTC)),
        ("month", datetime(2026, 12, 31, 23, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC),
         datetime(2027, 1, 1, tzinfo=UTC)),
    ],
)
def test_period_bounds(period: str, now: datetime, start: datetime, end: datetime) -> None:
    assert period_bounds(period, now) == (start, end)


def test_period_bounds_needs_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone"):
        period_bounds("day", datetime(2026, 1, 1))
