"""The port through which the royalty use case reads plays and writes the ledger.

Storage implements ``RoyaltyRepository`` in SQL: it counts and sums (never ten
million rows through Python) and appends rows; every decision — what
qualifies, what a run's id is, who gets what, when a run is refused — is
the use case's (``core.royalties.runs``). Everything that belongs to one run
happens in one ``PeriodTransaction``: the period is locked for its whole
life (SQLite has one writer; PostgreSQL holds ``SELECT … FOR UPDATE`` on the
period's row), and it commits only when the block ends without error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from fractions import Fraction
from typing import NamedTuple, Protocol

from core.model import Origin, Party, RightType, Transformation
from core.royalties.catalog_facts import CatalogFacts, CatalogRows
from core.royalties.fraud import HourActivity, Suspect
from core.royalties.ledger import Leg, Posting
from core.royalties.periods import Period
from core.royalties.qualification import PlayFacts, Reason
from core.royalties.run_id import RunInputs
from core.royalties.statements import RecordingInfo, UsageBook
from core.royalties.types import PoolBasis, RunInfo

ESCROW_VOICE = 1
"""``UsageRow.escrow`` bit: the clip's voice was revoked when the play happened."""
ESCROW_WORK = 2
"""``UsageRow.escrow`` bit: the clip's work was opted out when the play happened."""
ESCROW_RECORDING = 4
"""``UsageRow.escrow`` bit: the clip's recording was opted out when the play happened."""

Templates = dict[Transformation, dict[RightType, Fraction]]
"""A license version's bucket template per transformation kind."""


class PendingPlay(NamedTuple):
    """An event of the period that has no qualification decision yet."""

    facts: PlayFacts
    origin: Origin
    territory: str


class PlayDecision(NamedTuple):
    """One event's qualification, as it is stored (once, never changed)."""

    facts: PlayFacts
    period: str
    reason: Reason
    rules_version: str
    decided_at: datetime
    active: bool  # its origin counts as an active play (artist-centric)
    territory: str
    play_day: date
    played_period: str  # the month it was played in (a late play is decided in a later period)


class UsageRow(NamedTuple):
    """Plays of one clip class, day, territory, escrow situation, usage and origin kind."""

    recording_id: str
    kind: str  # the clip's Transformation value
    voice_model_id: str | None
    license_id: str
    version: int
    day: date | None  # only for clips whose shares are dated; else the period's first day
    territory: str
    played_period: str
    escrow: int  # ESCROW_VOICE | ESCROW_WORK | ESCROW_RECORDING bits
    usage: str  # the UsageType value
    active: bool
    qualified: bool
    listener: str | None  # user-centric only
    plays: int


class PeriodView(Protocol):
    """Reads of one period, in one transaction."""

    async def is_closed(self) -> bool: ...

    async def active_run(self) -> RunInfo | None:
        """The newest run of the period that was not reversed."""
        ...

    async def runs(self) -> list[RunInfo]:
        """Every run of the period, oldest first, reversed ones with their reason."""
        ...

    async def suspects(self) -> list[Suspect]: ...
    async def qualification_counts(self) -> dict[str, int]:
        """Decided events per reason value."""
        ...

    async def postings(self) -> list[Posting]:
        """Every posting of the period, in the order they were made."""
        ...

    async def parties(self) -> list[str]:
        """Parties with legs in the period (net zero included)."""
        ...

    async def account_totals(self) -> list[tuple[str, str | None, int]]:
        """(account, party id or None, net amount) per account and party of the period."""
        ...

    async def party_names(self, party_ids: Iterable[str]) -> dict[str, str]:
        """Names of the catalog's parties among ``party_ids``."""
        ...

    async def party(self, party_id: str) -> Party | None: ...
    async def party_legs(self, party_id: str) -> list[Leg]:
        """The party's legs of the period, in the order they were stored."""
        ...

    async def run_usage(self, run_id: str) -> UsageBook: ...
    async def run_basis(self, run_id: str) -> PoolBasis | None:
        """The revenue basis stored with the run (None: its pool was typed in)."""
        ...

    async def recordings(self, recording_ids: Iterable[str]) -> dict[str, RecordingInfo]: ...


class PeriodTransaction(PeriodView, Protocol):
    """One locked period: what a run, a qualification, a reversal or a close reads and appends."""

    async def reversed_runs(self) -> int:
        """How many of the period's runs were reversed."""
        ...

    async def is_reversed(self, run_id: str) -> bool: ...
    async def event_count(self) -> int:
        """Play events of the period, decided or not."""
        ...

    # -- qualification ----------------------------------------------------------------
    async def anything_pending(self) -> bool:
        """Does any event of the period lack its decision? (cheap)"""
        ...

    async def flagged(self) -> set[str]:
        """Listener keys flagged as fraud suspects in the period."""
        ...

    async def busy_hours(self, max_ms_per_hour: int, max_clips_per_hour: int) -> list[HourActivity]:
        """Listener-hours streaming more than ``max_ms_per_hour`` beyond their longest stream,
        or playing more than ``max_clips_per_hour`` clips: the candidates for suspicion."""
        ...

    async def flag(self, suspects: Sequence[Suspect], at: datetime) -> None:
        """Flag the suspects' listeners (a listener already flagged stays as it was)."""
        ...

    async def pending_listeners(self) -> list[tuple[str, int]]:
        """(listener key, undecided events) per listener, in listener key order."""
        ...

    async def pending_plays(self, low: str, high: str) -> list[PendingPlay]:
        """The undecided events of the listeners from ``low`` to ``high`` (inclusive)."""
        ...

    async def prior_plays(self, low: str, high: str) -> list[PlayFacts]:
        """The qualified plays of those listeners (only clip, usage, listener and time are set)."""
        ...

    async def store_decisions(self, decisions: Sequence[PlayDecision]) -> None: ...

    # -- allocation -------------------------------------------------------------------
    async def catalog(self) -> CatalogRows: ...
    async def usage_counts(self, facts: CatalogFacts, *, by_listener: bool) -> list[UsageRow]:
        """Every decided play of the period, counted per clip class, territory, usage… (in SQL).

        Plays of clips whose shares are dated (``facts.dated_*``) are counted per
        day; plays of clips with something possibly in escrow (revoked voices,
        ``facts.escrow_recordings()``) carry their escrow bits at the time of the play.
        """
        ...

    async def license_templates(
        self, versions: Iterable[tuple[str, int]]
    ) -> dict[tuple[str, int], Templates]:
        """Bucket templates of the (license id, version) pairs."""
        ...

    async def artist_stats(self) -> list[tuple[str, int, int]]:
        """(artist, qualified plays, distinct listeners) of the period."""
        ...

    async def add_run(self, run: RunInfo, inputs: RunInputs) -> None: ...
    async def store_posting(self, posting: Posting, at: datetime) -> None: ...
    async def store_usage(self, run_id: str, usage: UsageBook) -> None: ...
    async def store_basis(self, run_id: str, basis: PoolBasis) -> None: ...

    # -- reversal and close -----------------------------------------------------------
    async def allocation_posting(self, run_id: str) -> Posting: ...
    async def store_reversal(self, run_id: str, reversal: Posting, why: str, at: datetime) -> None:
        """Append the reversal posting and mark the run reversed by it."""
        ...

    async def close(self, run_id: str, at: datetime) -> None:
        """Freeze the period on ``run_id``."""
        ...


class RoyaltyRepository(Protocol):
    def reading(self, period: Period) -> AbstractAsyncContextManager[PeriodView]:
        """One read transaction on ``period``."""
        ...

    def period_lock(self, period: Period) -> AbstractAsyncContextManager[PeriodTransaction]:
        """One write transaction holding ``period``'s lock; committed when the block ends."""
        ...

    async def find_run(self, run_id: str) -> RunInfo | None:
        """Any run of any period by id (reversed or not)."""
        ...


__all__ = [
    "ESCROW_RECORDING",
    "ESCROW_VOICE",
    "ESCROW_WORK",
    "PendingPlay",
    "PeriodTransaction",
    "PeriodView",
    "PlayDecision",
    "RoyaltyRepository",
    "Templates",
    "UsageRow",
]
