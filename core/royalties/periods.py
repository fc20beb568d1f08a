"""Accounting periods: calendar months in UTC, written ``YYYY-MM``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from core.errors import UserFacing

_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(UserFacing, ValueError):
    """A period the user typed is not ``YYYY-MM``."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PATTERN.match(text.strip())
        if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1970:
            raise PeriodError(f"{text!r} is not a period; write the month as YYYY-MM, e.g. 2026-11")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, moment: datetime | date) -> Period:
        """The period containing ``moment`` (aware datetimes are taken in UTC)."""
        if isinstance(moment, datetime):
            moment = moment.astimezone(UTC)
        return cls(moment.year, moment.month)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """Exclusive end: the start of the next period."""
        return self.next().start

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def accounting_period(played_at: datetime, closed: frozenset[str] | set[str]) -> Period:
    """The period a play is accounted in: its month, or the first open one after it.

    Usage that arrives after its period was closed is posted in the next
    open period, where statements show it as a late adjustment line.
    """
    period = Period.of(played_at)
    while str(period) in closed:
        period = period.next()
    return period
