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
class RunRequest:
    period: Period
    pool_micros: int
    currency: str
    method: Method = Method.PRO_RATA
    artist_centric: bool = False
    replace: bool = False


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
    "PeriodSummary",
    "QualifySummary",
    "RoyaltyError",
    "RunInfo",
    "RunOutcome",
    "RunRequest",
]
