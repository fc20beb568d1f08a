"""User tiers and the UTC periods their render-seconds are counted in.

Quota resets must be computable (to refuse with a ``retry_at``) and explainable
("resets in 5 h 12 min (00:00 UTC)"), so a period is a calendar interval in UTC
rather than a rolling window: everyone's day ends at the same, stated moment.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from core.model import Tier


class Period(enum.StrEnum):
    """A quota period; ``Tier.period`` holds one of these values as a plain string."""

    DAY = "day"
    WEEK = "week"  # ISO week: Monday 00:00 UTC to the next Monday
    MONTH = "month"


DEFAULT_TIERS: Mapping[str, Tier] = MappingProxyType(
    {
        "free": Tier("free", seconds_per_period=60, max_clip_seconds=30, priority=0),
        "fan": Tier("fan", seconds_per_period=600, max_clip_seconds=60, priority=1),
        "pro": Tier("pro", seconds_per_period=3600, max_clip_seconds=120, priority=2),
    }
)
"""The tiers a deployment gets unless its settings name others, keyed by name.

Read-only so that no caller can change every other caller's limits by accident.
"""


def period_bounds(period: str, now: datetime) -> tuple[datetime, datetime]:
    """The UTC period holding ``now``: start (inclusive) and end (exclusive).

    ``period`` is ``"day"``, ``"week"`` or ``"month"``. ``now`` must be
    timezone-aware (any zone; it is converted to UTC first) because a naive
    time would silently pick the wrong day near midnight. Both bounds are
    aware UTC datetimes; the end is the moment the quota resets.

    Raises:
        ValueError: for a naive ``now`` or an unknown period.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("period_bounds needs a timezone-aware time")
    try:
        kind = Period(period)
    except ValueError:
        raise ValueError(f"unknown quota period {period!r} (day, week or month)") from None
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if kind is Period.DAY:
        return day, day + timedelta(days=1)
    if kind is Period.WEEK:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    start = day.replace(day=1)
    if start.month == 12:
        return start, start.replace(year=start.year + 1, month=1)
    return start, start.replace(month=start.month + 1)
