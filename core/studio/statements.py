"""A holder's statements: the royalty use case's own statement, for the holder's parties only.

The numbers come from ``RoyaltyService.statement`` and the files from the
same renderers ``refrain royalties statement`` uses (CSV, JSON, DSR), so the
studio and the operator's CLI agree to the micro-unit by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.ports import Clock
from core.royalties import (
    Period,
    PeriodError,
    RoyaltyService,
    Statement,
    render_csv,
    render_dsr,
    render_json,
)
from core.studio._values import Holder
from core.studio.errors import NotYours, StudioError
from core.studio.ports import StudioStore

FORMATS = {"csv": "text/csv", "json": "application/json", "dsr": "text/tab-separated-values"}
_MONTHS_SHOWN = 12


@dataclass(frozen=True)
class PeriodTotal:
    """One party's earnings in one period, and whether the period is closed (final)."""

    party_id: str
    party_name: str
    period: str
    closed: bool
    total: int
    currency: str


class StudioStatements:
    def __init__(
        self, royalties: RoyaltyService | None, store: StudioStore, clock: Clock, currency: str,
        dsr_sender: str,
    ) -> None:
        self._royalties = royalties
        self._store = store
        self._clock = clock
        self._currency = currency
        self._sender = dsr_sender

    def _service(self) -> RoyaltyService:
        if self._royalties is None:
            raise StudioError("Statements are unavailable: the operator's royalty rule set is not "
                              "configured (royalties.rules_version).")
        return self._royalties

    async def periods(self, holder: Holder) -> list[PeriodTotal]:
        """The last twelve months' totals of each of the holder's parties, newest first.

        One grouped read of the ledger (the sum of the legs each statement lists),
        not twelve statements: the dashboard shows these on every load.
        """
        self._service()
        month = Period.of(self._clock.now())
        months = []
        for _ in range(_MONTHS_SHOWN):
            months.append(str(month))
            month = Period(month.year - (month.month == 1), 12 if month.month == 1 else month.month - 1)
        found = {(party, period): (closed, total) for party, period, closed, total
                 in await self._store.earnings(holder.party_ids, months[-1])}
        names = await self._store.party_names(holder.party_ids)
        return [
            PeriodTotal(party_id, names.get(party_id, party_id), period,
                        *found.get((party_id, period), (False, 0)), self._currency)
            for period in months for party_id in sorted(holder.party_ids)
        ]

    async def statement(self, holder: Holder, party_id: str, period: str) -> Statement:
        """The party's statement for ``period`` (YYYY-MM); another party's reads as not found."""
        if party_id not in holder.party_ids:
            raise NotYours()
        try:
            month = Period.parse(period)
        except PeriodError as error:
            raise StudioError(str(error), "period") from None
        return await self._service().statement(party_id, month, self._currency)

    def render(self, statement: Statement, fmt: str) -> str:
        """The file the CLI writes for ``--format fmt``."""
        if fmt == "json":
            return render_json(statement)
        if fmt == "dsr":
            return render_dsr(statement, "WW", self._sender)
        if fmt == "csv":
            return render_csv(statement)
        raise NotYours()
