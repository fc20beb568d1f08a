"""User tiers and the quota periods they count render-seconds in."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from core.model import Tier

DEFAULT_TIERS: dict[str, Tier] = {
    "free": Tier("free", seconds_per_period=60, max_clip_seconds=30, priority=0),
    "fan": Tier("fan", seconds_per_period=600, max_clip_seconds=60, priority=1),
    "pro": Tier("pro", seconds_per_period=3600, max_clip_seconds=120, priority=2),
}


def period_bounds(period: str, now: datetime) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of the UTC ``day``/``week``/``month`` holding ``now``."""
    if now.tzinfo is None:
        raise ValueError("period_bounds needs a timezone-aware time")
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return day, day + timedelta(days=1)
    if period == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    if period == "month":
        start = day.replace(day=1)
        days = calendar.monthrange(start.year, start.month)[1]
        return start, start + timedelta(days=days)
    raise ValueError(f"unknown quota period '{period}' (day, week or month)")
