"""Quota-ledger arithmetic: reservations, commits and refunds as append-only entries.

A balance is never stored or overwritten; it is what the entries add up to.
Each request reserves seconds on an account once, then settles once: a
COMMIT (the clip was delivered; it carries no seconds) or a REFUND (it failed
or was cancelled; it gives back at most what was reserved, into the period
the seconds were reserved in). ``apply`` is the rulebook every store and fake
must uphold; ``used_seconds`` is what the entitlement engine is told.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import datetime

from core.errors import RefrainError
from core.model import QuotaEntry, QuotaEntryKind
from core.ports import Reservation


class LedgerProblem(enum.Enum):
    DUPLICATE_ENTRY = "DUPLICATE_ENTRY"  # an entry id already in the ledger
    BAD_AMOUNT = "BAD_AMOUNT"  # reserve/refund of < 1 s, commit with seconds
    ALREADY_RESERVED = "ALREADY_RESERVED"  # a second reservation for one request
    NOT_RESERVED = "NOT_RESERVED"  # commit or refund with nothing reserved
    WRONG_PERIOD = "WRONG_PERIOD"  # settled in another period than reserved in
    ALREADY_COMMITTED = "ALREADY_COMMITTED"  # settled twice, or refunded after delivery
    ALREADY_REFUNDED = "ALREADY_REFUNDED"  # double refund, or delivered after a refund
    REFUND_TOO_LARGE = "REFUND_TOO_LARGE"  # gives back more than was reserved


class LedgerError(RefrainError):
    """An entry that would break the ledger's rules; nothing is appended."""

    def __init__(self, problem: LedgerProblem, entry: QuotaEntry, detail: str) -> None:
        super().__init__(
            f"{problem.value}: {entry.kind.value} of request {entry.request_id} "
            f"on {entry.account}: {detail}"
        )
        self.problem = problem
        self.entry = entry


def used_seconds(
    entries: Iterable[QuotaEntry], period_start: datetime, account: str | None = None
) -> int:
    """Reserved minus refunded seconds of the period starting at ``period_start``.

    ``entries`` are one account's; pass ``account`` to pick one out of a mixed list.
    """
    total = 0
    for entry in entries:
        if entry.period_start != period_start or (account is not None and entry.account != account):
            continue
        if entry.kind is QuotaEntryKind.RESERVE:
            total += entry.seconds
        elif entry.kind is QuotaEntryKind.REFUND:
            total -= entry.seconds
    return total


def fits(entries: Iterable[QuotaEntry], reservation: Reservation) -> bool:
    """Whether ``reservation`` stays within its limit given the account's entries."""
    used = used_seconds(entries, reservation.period_start, reservation.account)
    return used + reservation.seconds <= reservation.limit


def _check_settlement(
    new: QuotaEntry, reserve: QuotaEntry | None, settled: QuotaEntry | None
) -> None:
    if reserve is None:
        raise LedgerError(LedgerProblem.NOT_RESERVED, new, "nothing was reserved")
    if settled is not None:
        problem = (
            LedgerProblem.ALREADY_REFUNDED
            if settled.kind is QuotaEntryKind.REFUND
            else LedgerProblem.ALREADY_COMMITTED
        )
        raise LedgerError(problem, new, f"already settled by entry {settled.id}")
    if new.period_start != reserve.period_start:
        raise LedgerError(
            LedgerProblem.WRONG_PERIOD, new, "settlements belong to the reservation's period"
        )
    if new.kind is QuotaEntryKind.COMMIT:
        if new.seconds != 0:
            raise LedgerError(LedgerProblem.BAD_AMOUNT, new, "a commit carries no seconds")
        return
    if new.seconds < 1:
        raise LedgerError(LedgerProblem.BAD_AMOUNT, new, "a refund gives back at least 1 s")
    if new.seconds > reserve.seconds:
        raise LedgerError(
            LedgerProblem.REFUND_TOO_LARGE,
            new,
            f"{new.seconds} s refunded but only {reserve.seconds} s reserved",
        )


def apply(entries: Sequence[QuotaEntry], new: QuotaEntry) -> list[QuotaEntry]:
    """The ledger with ``new`` appended.

    Raises:
        LedgerError: if ``new`` breaks a rule (see ``LedgerProblem``); the
            ledger passed in is never changed.
    """
    if any(e.id == new.id for e in entries):
        raise LedgerError(LedgerProblem.DUPLICATE_ENTRY, new, f"entry id {new.id} exists")
    same = [e for e in entries if e.request_id == new.request_id and e.account == new.account]
    reserve = next((e for e in same if e.kind is QuotaEntryKind.RESERVE), None)
    settled = next((e for e in same if e.kind is not QuotaEntryKind.RESERVE), None)
    if new.kind is QuotaEntryKind.RESERVE:
        if reserve is not None:
            raise LedgerError(LedgerProblem.ALREADY_RESERVED, new, f"see entry {reserve.id}")
        if new.seconds < 1:
            raise LedgerError(LedgerProblem.BAD_AMOUNT, new, "a reservation holds at least 1 s")
    else:
        _check_settlement(new, reserve, settled)
    return [*entries, new]
