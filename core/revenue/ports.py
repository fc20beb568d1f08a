"""The port through which the revenue use case reads and appends its records.

Storage implements it in SQL; every decision (legs, windows, which grant,
what a refund negates, which rate) is the use case's. ``record`` writes an
entry, its legs and its grant change in one transaction and answers
``False`` when the platform's id was already recorded (a race lost to the
same event delivered twice), so nothing is ever recorded twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.model import Grant
from core.revenue.ledger import RevenueEntry, RevenueLeg
from core.revenue.rates import Rate


@dataclass(frozen=True)
class GrantEnd:
    """End the grant paid for by ``source`` at ``at`` (unless it already ended earlier)."""

    source: str
    at: datetime


class RevenueRepository(Protocol):
    async def user_exists(self, user_id: str) -> bool: ...
    async def find_entry(self, platform: str, external_id: str) -> RevenueEntry | None: ...
    async def reversal_of(self, entry_id: str) -> RevenueEntry | None:
        """The refund or chargeback of a payment entry, if any."""
        ...

    async def legs_of(self, entry_id: str) -> list[RevenueLeg]: ...
    async def closed_periods(self) -> frozenset[str]:
        """Royalty periods already closed (their revenue is never rewritten)."""
        ...

    async def record(
        self,
        entry: RevenueEntry,
        legs: Sequence[RevenueLeg],
        grant: Grant | None = None,
        end: GrantEnd | None = None,
    ) -> bool: ...

    async def grants_of(self, subject: str) -> list[Grant]: ...
    async def find_grant(self, source: str) -> Grant | None: ...
    async def put_grant(self, grant: Grant) -> None:
        """Add the grant, or replace the window of the grant with the same ``source``."""
        ...

    async def period_totals(self, period: str) -> list[tuple[str, str, int]]:
        """(account, currency, net micro-units) of the period's legs."""
        ...

    async def periods(self) -> list[str]:
        """Every period that has legs, in order."""
        ...

    async def add_rate(self, rate: Rate, at: datetime) -> None: ...
    async def rates(self) -> list[Rate]:
        """Every rate ever set, oldest first."""
        ...


__all__ = ["GrantEnd", "RevenueRepository"]
