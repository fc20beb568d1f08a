"""The revenue ledger: every payment, renewal, refund and chargeback as a balanced entry.

An entry records what the platform reported — gross in its currency, the
platform's fee, net — and its legs say where the money sits, period by
period: the payer's account gives the gross (``-gross``), the ``fees``
account receives the fee and the ``revenue`` account the net, each spread
over the periods of the service window (``recognition``). Legs sum to zero.
A refund or chargeback is the negation of the payment's legs; a leg whose
period was already closed lands in the next open period instead
(``core.royalties.accounting_period``) — a closed period is never rewritten.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.errors import RefrainError
from core.revenue.recognition import recognize
from core.royalties import Period, accounting_period

PAYER = "payer"
FEES = "fees"
REVENUE = "revenue"


class EntryKind(enum.Enum):
    PAYMENT = "PAYMENT"
    RENEWAL = "RENEWAL"
    REFUND = "REFUND"
    CHARGEBACK = "CHARGEBACK"

    @property
    def reverses(self) -> bool:
        return self in (EntryKind.REFUND, EntryKind.CHARGEBACK)


class UnbalancedEntry(RefrainError, ValueError):
    """Legs that do not sum to zero: refused before anything is stored."""


@dataclass(frozen=True)
class RevenueLeg:
    account: str  # PAYER, FEES or REVENUE
    period: str
    currency: str
    amount: int  # micro-units


@dataclass(frozen=True)
class RevenueEntry:
    """One thing a platform reported, as it was reported (never changed afterwards)."""

    id: str
    kind: EntryKind
    platform: str
    external_id: str  # unique: the platform's own id (a charge, an entitlement…)
    payer: str  # internal user id
    plan_id: str
    currency: str
    gross: int
    fee: int
    at: datetime  # when it was paid or refunded
    service_start: datetime
    service_days: int
    subject: str  # what the grant lifts: user:<id> or scope:<id>
    refers_to: str | None = None  # a refund's or chargeback's payment entry id

    @property
    def net(self) -> int:
        return self.gross - self.fee


def balanced(entry_id: str, legs: Iterable[RevenueLeg]) -> tuple[RevenueLeg, ...]:
    out = tuple(legs)
    for currency in {leg.currency for leg in out}:
        total = sum(leg.amount for leg in out if leg.currency == currency)
        if total:
            raise UnbalancedEntry(f"revenue entry {entry_id} legs sum to {total} {currency}")
    return out


def payment_legs(entry: RevenueEntry, closed: frozenset[str]) -> tuple[RevenueLeg, ...]:
    """The payer gives the gross; fees and net revenue are recognized over the service days."""
    start = entry.service_start.date()
    gross = recognize(entry.gross, start, entry.service_days, seed=entry.external_id)
    fees = recognize(entry.fee, start, entry.service_days, seed=entry.external_id)
    legs = [RevenueLeg(PAYER, str(accounting_period(entry.at, closed)), entry.currency, -entry.gross)]
    for period in sorted(gross):
        moved = str(accounting_period(Period.parse(period).start, closed))
        if fees[period]:
            legs.append(RevenueLeg(FEES, moved, entry.currency, fees[period]))
        if gross[period] - fees[period]:
            legs.append(RevenueLeg(REVENUE, moved, entry.currency, gross[period] - fees[period]))
    return balanced(entry.id, legs)


def reversal_legs(
    entry_id: str, original: Iterable[RevenueLeg], closed: frozenset[str]
) -> tuple[RevenueLeg, ...]:
    """The payment's legs negated, each in its own period or the next open one."""
    return balanced(entry_id, (
        RevenueLeg(leg.account, str(accounting_period(Period.parse(leg.period).start, closed)),
                   leg.currency, -leg.amount)
        for leg in original
    ))


__all__ = [
    "FEES",
    "PAYER",
    "REVENUE",
    "EntryKind",
    "RevenueEntry",
    "RevenueLeg",
    "UnbalancedEntry",
    "payment_legs",
    "reversal_legs",
]
