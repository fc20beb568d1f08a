"""Quota periods are UTC calendar intervals, so resets are the same moment for everyone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.entitlements import period_bounds


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
    micro: int = 0,
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "now", "start", "end"),
    [
        ("day", utc(2026, 11, 28, 0, 0), utc(2026, 11, 28), utc(2026, 11, 29)),
        ("day", utc(2026, 11, 28, 23, 59, 59, 999999), utc(2026, 11, 28), utc(2026, 11, 29)),
        ("day", utc(2026, 12, 31, 18), utc(2026, 12, 31), utc(2027, 1, 1)),
        ("week", utc(2026, 11, 30, 0, 0), utc(2026, 11, 30), utc(2026, 12, 7)),  # a Monday
        ("week", utc(2026, 11, 29, 23, 59), utc(2026, 11, 23), utc(2026, 11, 30)),  # Sunday
        ("week", utc(2026, 12, 31, 12), utc(2026, 12, 28), utc(2027, 1, 4)),
        ("month", utc(2026, 11, 30, 23, 59, 59), utc(2026, 11, 1), utc(2026, 12, 1)),
        ("month", utc(2026, 12, 1, 0, 0), utc(2026, 12, 1), utc(2027, 1, 1)),
        ("month", utc(2026, 12, 31, 23, 59), utc(2026, 12, 1), utc(2027, 1, 1)),
        ("month", utc(2028, 2, 29, 12), utc(2028, 2, 1), utc(2028, 3, 1)),
        ("month", utc(2027, 2, 28, 12), utc(2027, 2, 1), utc(2027, 3, 1)),
    ],
)
def test_period_edges(period: str, now: datetime, start: datetime, end: datetime) -> None:
    assert period_bounds(period, now) == (start, end)


def test_bounds_are_utc_even_for_another_zone() -> None:
    """01:00 at UTC+2 on 1 Dec is still 30 Nov in UTC."""
    athens = timezone(timedelta(hours=2))
    start, end = period_bounds("day", datetime(2026, 12, 1, 1, 0, tzinfo=athens))
    assert (start, end) == (utc(2026, 11, 30), utc(2026, 12, 1))
    assert start.utcoffset() == timedelta(0) and end.utcoffset() == timedelta(0)


def test_naive_time_and_unknown_period_are_refused() -> None:
    with pytest.raises(ValueError):
        period_bounds("day", datetime(2026, 11, 28, 12))
    with pytest.raises(ValueError):
        period_bounds("year", utc(2026, 11, 28, 12))


@given(
    st.sampled_from(["day", "week", "month"]),
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
)
def test_now_lies_in_its_period_and_the_next_one_starts_at_its_end(
    period: str, now: datetime
) -> None:
    start, end = period_bounds(period, now)
    assert start <= now < end
    assert start.hour == start.minute == start.second == start.microsecond == 0
    assert period_bounds(period, end)[0] == end
    assert period_bounds(period, end - timedelta(microseconds=1)) == (start, end)
