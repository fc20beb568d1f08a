"""Double-entry postings: every movement of money has legs that sum to exactly zero.

An allocation run is one posting: the pool account gives the pool
(``-pool``) and each party account receives its legs. Nothing is ever
edited or deleted; a correction is a *reversal* posting whose legs are the
original legs negated, so the balances return exactly to what they were
(ROYALTIES.md invariants 2, 8, 11). Balances are always sums of legs.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.errors import RefrainError
from core.model import RightType
from core.royalties.allocation import LegKey

POOL_ACCOUNT = "pool"
PARTY_ACCOUNT = "party"


class PostingKind(enum.Enum):
    ALLOCATION = "ALLOCATION"
    REVERSAL = "REVERSAL"


class UnbalancedPosting(RefrainError, ValueError):
    """A posting whose legs do not sum to zero: refused before anything is stored."""


@dataclass(frozen=True)
class Leg:
    """One line of a posting. Party legs carry the dimensions statements group by."""

    account: str  # POOL_ACCOUNT or PARTY_ACCOUNT
    amount: int  # micro-units; credit to the account when positive
    party_id: str | None = None
    right: RightType | None = None
    recording_id: str | None = None
    territory: str | None = None
    played_period: str | None = None

    def negated(self) -> Leg:
        return Leg(
            self.account,
            -self.amount,
            self.party_id,
            self.right,
            self.recording_id,
            self.territory,
            self.played_period,
        )

    def sort_key(self) -> tuple[str, str, str, str, str, str]:
        return (
            self.account,
            self.party_id or "",
            self.recording_id or "",
            self.right.value if self.right else "",
            self.territory or "",
            self.played_period or "",
        )


@dataclass(frozen=True)
class Posting:
    id: str
    run_id: str
    kind: PostingKind
    period: str
    currency: str
    legs: tuple[Leg, ...]
    reverses: str | None = None
    memo: str = ""

    def __post_init__(self) -> None:
        total = sum(leg.amount for leg in self.legs)
        if total != 0:
            raise UnbalancedPosting(f"posting {self.id} legs sum to {total}, not 0")


def allocation_posting(
    posting_id: str, run_id: str, period: str, currency: str, pool: int, legs: Mapping[LegKey, int]
) -> Posting:
    """The pool leaves the pool account and reaches the parties, leg by leg."""
    party_legs = [
        Leg(PARTY_ACCOUNT, amount, key.party_id, key.right, key.recording_id, key.territory,
            key.played_period)
        for key, amount in legs.items()
        if amount
    ]
    party_legs.sort(key=Leg.sort_key)
    return Posting(
        posting_id,
        run_id,
        PostingKind.ALLOCATION,
        period,
        currency,
        (Leg(POOL_ACCOUNT, -pool), *party_legs),
        memo=f"allocation of {period}",
    )


def reversal_of(original: Posting, posting_id: str, why: str) -> Posting:
    """The posting that undoes ``original`` exactly."""
    if original.kind is not PostingKind.ALLOCATION:
        raise ValueError("only allocations are reversed; a reversal is final")
    return Posting(
        posting_id,
        original.run_id,
        PostingKind.REVERSAL,
        original.period,
        original.currency,
        tuple(leg.negated() for leg in original.legs),
        reverses=original.id,
        memo=why,
    )


def balances(postings: Iterable[Posting]) -> dict[str, int]:
    """Balance per account key (``pool`` or ``party:<id>``), zero balances omitted."""
    out: dict[str, int] = defaultdict(int)
    for posting in postings:
        for leg in posting.legs:
            key = leg.account if leg.party_id is None else f"{leg.account}:{leg.party_id}"
            out[key] += leg.amount
    return {k: v for k, v in sorted(out.items()) if v}
