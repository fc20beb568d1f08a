"""What a royalty run is asked, what it answers, and the refusal a person can act on.

A leaf module: the use case (``core.royalties.runs``) and its port
(``core.royalties.ports``) both speak these values.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from core.errors import UserFacing
from core.royalties.allocation import Method
from core.royalties.periods import Period


class RoyaltyError(UserFacing):
    """A refusal the user can act on (closed period, run already there…); the text says what to do."""


@dataclass(frozen=True)
class BasisLine:
    """One currency's recognized revenue of a period and its conversion into the pool currency."""

    currency: str
    gross: int  # micro-units of ``currency``
    fees: int
    net: int
    rate: str  # exact decimal text, pool currency per unit
    net_converted: int  # micro-units of the pool currency


@dataclass(frozen=True)
class PoolBasis:
    """Where a revenue-based pool comes from: recognized gross, fees, net, the share, the pool.

    Built by ``core.revenue``; stored with the run it funded, shown above a statement's lines.
    """

    period: str
    currency: str  # the pool currency
    lines: tuple[BasisLine, ...]
    net: int  # Σ net_converted
    share: str  # exact decimal text, e.g. "0.5"
    pool: int  # floor(net × share), never negative

    @property
    def gross_by_currency(self) -> dict[str, int]:
        return {line.currency: line.gross for line in self.lines}


@dataclass(frozen=True)
class RunRequest:
    period: Period
    pool_micros: int
    currency: str
    method: Method = Method.PRO_RATA
    artist_centric: bool = False
    replace: bool = False
    basis: PoolBasis | None = None  # a pool computed from revenue: stored with the run


@dataclass(frozen=True)
class RunInfo:
    id: str
    period: str
    method: str
    artist_centric: bool
    pool_micros: int
    currency: str
    rules_version: str
    events: int
    qualified: int
    created_at: datetime
    reversed_why: str | None = None


@dataclass(frozen=True)
class RunOutcome:
    run: RunInfo
    created: bool  # False: the same inputs were already allocated; nothing changed
    replaced: str | None = None  # the run reversed by --replace
    legs: int = 0


@dataclass(frozen=True)
class QualifySummary:
    decided: Counter[str]
    suspects: int


@dataclass(frozen=True)
class PeriodSummary:
    period: str
    currency: str
    run: RunInfo | None
    pool_in: int  # what the pool accounts gave, net of reversals
    owed: dict[str, int]  # party id → net amount
    names: dict[str, str]

    @property
    def conserved(self) -> bool:
        return self.pool_in == sum(self.owed.values())


__all__ = [
    "BasisLine",
    "PeriodSummary",
    "PoolBasis",
    "QualifySummary",
    "RoyaltyError",
    "RunInfo",
    "RunOutcome",
    "RunRequest",
]
