"""A holder's dashboard: clips made, plays by usage per day, top styles and platforms, earnings.

Counts come from the store in a few grouped reads over the holder's
recordings (or one of them) and a window of days; the series is filled
day by day so a quiet day shows as zero, not as a gap. Earnings are the
closed periods' totals from the statements, the same numbers as the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.model import UsageType
from core.ports import Clock
from core.studio._values import Holder
from core.studio.ports import StudioStore, UsageFacts
from core.studio.rights import StudioRights
from core.studio.statements import PeriodTotal, StudioStatements

_HOURS_PER_DAY = 24
_TOP = 5


@dataclass(frozen=True)
class DaySeries:
    """Plays per day of one usage, oldest day first."""

    usage: UsageType
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Dashboard:
    title: str  # "All your songs" or the song's title
    recording_id: str | None
    first_day: datetime
    days: int
    clips: int
    series: tuple[DaySeries, ...]
    top_styles: tuple[tuple[str, int], ...]  # (style, plays)
    top_platforms: tuple[tuple[str, int], ...]
    earnings: tuple[PeriodTotal, ...]  # closed periods only


class StudioDashboard:
    def __init__(self, store: StudioStore, rights: StudioRights, statements: StudioStatements,
                 clock: Clock) -> None:
        self._store = store
        self._rights = rights
        self._statements = statements
        self._clock = clock

    async def dashboard(
        self, holder: Holder, recording_id: str | None = None, days: int = 30,
        *, with_earnings: bool = True,
    ) -> Dashboard:
        """The holder's totals, or one of their songs' (``NotYours`` for anyone else's)."""
        if recording_id is None:
            title = "All your songs"
        else:
            title = (await self._rights.song(holder, recording_id)).recording.title
        today = self._clock.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        first = today - timedelta(days=days - 1)
        first_hour = int(first.timestamp()) // 3600
        facts = await self._store.usage(holder.party_ids, recording_id, first_hour,
                                        first_hour + days * _HOURS_PER_DAY)
        earnings: tuple[PeriodTotal, ...] = ()
        if with_earnings and recording_id is None:
            earnings = tuple(p for p in await self._statements.periods(holder) if p.closed)
        return Dashboard(
            title=title,
            recording_id=recording_id,
            first_day=first,
            days=days,
            clips=facts.clips,
            series=_series(facts, first_hour // _HOURS_PER_DAY, days),
            top_styles=_top(facts.style_plays),
            top_platforms=_top(facts.platform_plays),
            earnings=earnings,
        )


def _series(facts: UsageFacts, first_day: int, days: int) -> tuple[DaySeries, ...]:
    series = []
    for usage in UsageType:
        counts = [0] * days
        for (day, kind), plays in facts.daily.items():
            if kind == usage.value and 0 <= day - first_day < days:
                counts[day - first_day] += plays
        series.append(DaySeries(usage, tuple(counts)))
    return tuple(series)


def _top(counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:_TOP])
