"""The quota ledger under random reserve/commit/refund/cancel sequences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from core.entitlements import LedgerError, apply, used_seconds
from core.model import QuotaEntry, QuotaEntryKind

DAY = datetime(2026, 11, 28, tzinfo=UTC)
LIMIT = 120
ACCOUNTS = ("user:alice", "pool:console:testguild")


class Ledger(RuleBasedStateMachine):
    """Requests reserve on both accounts (as a granted request does), then settle once."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: Sequence[QuotaEntry] = ()
        self.open: dict[str, int] = {}  # request → seconds reserved, not yet settled
        self.committed: set[str] = set()
        self.refunded: dict[str, int] = {}
        self.serial = 0

    def _entry(self, account: str, request: str, kind: QuotaEntryKind, seconds: int) -> QuotaEntry:
        self.serial += 1
        at = DAY + timedelta(seconds=self.serial)
        return QuotaEntry(f"e{self.serial}", account, request, kind, seconds, DAY, at)

    def _used(self, account: str) -> int:
        return used_seconds([e for e in self.entries if e.account == account], DAY)

    def _append(self, request: str, kind: QuotaEntryKind, seconds: int) -> None:
        for account in ACCOUNTS:
            self.entries = apply(self.entries, self._entry(account, request, kind, seconds))

    @rule(seconds=st.integers(1, 50))
    def reserve(self, seconds: int) -> None:
        request = f"req{self.serial}"
        if any(self._used(a) + seconds > LIMIT for a in ACCOUNTS):
            return  # the store raises QuotaExceeded and writes nothing
        self._append(request, QuotaEntryKind.RESERVE, seconds)
        self.open[request] = seconds

    @precondition(lambda self: bool(self.open))
    @rule(data=st.data())
    def commit(self, data: st.DataObject) -> None:
        request = data.draw(st.sampled_from(sorted(self.open)))
        before = [self._used(a) for a in ACCOUNTS]
        self._append(request, QuotaEntryKind.COMMIT, 0)
        del self.open[request]
        self.committed.add(request)
        assert [self._used(a) for a in ACCOUNTS] == before  # delivery keeps the charge

    @precondition(lambda self: bool(self.open))
    @rule(data=st.data())
    def refund(self, data: st.DataObject) -> None:
        """A failed render or a cancel gives the reserved seconds back, exactly."""
        request = data.draw(st.sampled_from(sorted(self.open)))
        seconds = self.open.pop(request)
        before = [self._used(a) for a in ACCOUNTS]
        self._append(request, QuotaEntryKind.REFUND, seconds)
        self.refunded[request] = seconds
        assert [self._used(a) for a in ACCOUNTS] == [b - seconds for b in before]

    @precondition(lambda self: bool(self.refunded or self.committed))
    @rule(data=st.data(), kind=st.sampled_from([QuotaEntryKind.REFUND, QuotaEntryKind.COMMIT]))
    def settle_again_is_rejected(self, data: st.DataObject, kind: QuotaEntryKind) -> None:
        request = data.draw(st.sampled_from(sorted(set(self.refunded) | self.committed)))
        seconds = self.refunded.get(request, 1) if kind is QuotaEntryKind.REFUND else 0
        entry = self._entry(ACCOUNTS[0], request, kind, seconds)
        with pytest.raises(LedgerError):
            apply(self.entries, entry)

    @precondition(lambda self: bool(self.open))
    @rule(data=st.data(), extra=st.integers(1, 10))
    def over_refund_is_rejected(self, data: st.DataObject, extra: int) -> None:
        request = data.draw(st.sampled_from(sorted(self.open)))
        entry = self._entry(ACCOUNTS[0], request, QuotaEntryKind.REFUND, self.open[request] + extra)
        with pytest.raises(LedgerError):
            apply(self.entries, entry)

    @rule()
    def settle_unknown_request_is_rejected(self) -> None:
        with pytest.raises(LedgerError):
            apply(self.entries, self._entry(ACCOUNTS[0], "nobody", QuotaEntryKind.COMMIT, 0))

    @invariant()
    def balances_are_what_is_held(self) -> None:
        expected = sum(self.open.values()) + sum(
            e.seconds
            for e in self.entries
            if e.kind is QuotaEntryKind.RESERVE
            and e.account == ACCOUNTS[0]
            and e.request_id in self.committed
        )
        for account in ACCOUNTS:
            used = self._used(account)
            assert 0 <= used <= LIMIT
            assert used == expected


Ledger.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestLedger = Ledger.TestCase


def test_other_periods_do_not_count() -> None:
    yesterday = DAY - timedelta(days=1)
    entries = apply((), QuotaEntry("a", "user:u", "r1", QuotaEntryKind.RESERVE, 30, yesterday, DAY))
    entries = apply(entries, QuotaEntry("b", "user:u", "r2", QuotaEntryKind.RESERVE, 10, DAY, DAY))
    assert used_seconds(entries, DAY) == 10
    assert used_seconds(entries, yesterday) == 30


def test_refund_returns_to_the_reservation_period_only() -> None:
    """A refund written today for yesterday's request must say yesterday."""
    yesterday = DAY - timedelta(days=1)
    entries = apply((), QuotaEntry("a", "user:u", "r1", QuotaEntryKind.RESERVE, 30, yesterday, DAY))
    with pytest.raises(LedgerError):
        apply(entries, QuotaEntry("b", "user:u", "r1", QuotaEntryKind.REFUND, 30, DAY, DAY))
    refund = QuotaEntry("b", "user:u", "r1", QuotaEntryKind.REFUND, 30, yesterday, DAY)
    entries = apply(entries, refund)
    assert used_seconds(entries, yesterday) == 0


def test_refunded_request_cannot_be_committed() -> None:
    entries = apply((), QuotaEntry("a", "user:u", "r1", QuotaEntryKind.RESERVE, 30, DAY, DAY))
    entries = apply(entries, QuotaEntry("b", "user:u", "r1", QuotaEntryKind.REFUND, 30, DAY, DAY))
    with pytest.raises(LedgerError):
        apply(entries, QuotaEntry("c", "user:u", "r1", QuotaEntryKind.COMMIT, 0, DAY, DAY))
