"""Quota-ledger arithmetic: reservations, commits and refunds as append-only entries.

A balance is never overwritten: it is what the entries say. These rules are
what every store must uphold; ``apply`` checks a new entry against them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from core.model import QuotaEntry, QuotaEntryKind


class LedgerError(Exception):
    """An entry that would break the ledger's rules (double refund, refund after commit…)."""


def used_seconds(entries: Iterable[QuotaEntry], period_start: datetime) -> int:
    """Reserved minus refunded seconds in the period starting at ``period_start``."""
    total = 0
    for entry in entries:
        if entry.period_start != period_start:
            continue
        if entry.kind is QuotaEntryKind.RESERVE:
            total += entry.seconds
        elif entry.kind is QuotaEntryKind.REFUND:
            total -= entry.seconds
    return total


def apply(entries: Sequence[QuotaEntry], new: QuotaEntry) -> list[QuotaEntry]:
    """The ledger with ``new`` appended, or ``LedgerError`` if it breaks a rule."""
    if new.seconds < 0:
        raise LedgerError("entries carry non-negative seconds")
    same = [e for e in entries if e.request_id == new.request_id and e.account == new.account]
    kinds = [e.kind for e in same]
    if new.kind is QuotaEntryKind.RESERVE:
        if kinds:
            raise LedgerError(f"request {new.request_id} already reserved on {new.account}")
    else:
        if QuotaEntryKind.RESERVE not in kinds:
            raise LedgerError(f"request {new.request_id} has no reservation on {new.account}")
        if QuotaEntryKind.REFUND in kinds or QuotaEntryKind.COMMIT in kinds:
            raise LedgerError(f"request {new.request_id} is already settled on {new.account}")
        reserved = next(e for e in same if e.kind is QuotaEntryKind.RESERVE)
        if new.kind is QuotaEntryKind.REFUND and new.seconds != reserved.seconds:
            raise LedgerError("a refund gives back exactly what was reserved")
        if new.kind is QuotaEntryKind.COMMIT and new.seconds != 0:
            raise LedgerError("a commit carries no seconds")
        if new.period_start != reserved.period_start:
            raise LedgerError("a settlement belongs to the reservation's period")
    return [*entries, new]
