"""Revenue recognition: a payment is earned over the service days it buys.

A 30-day plan paid on 20 November earns 11/30 in November (20–30 Nov) and
19/30 in December. The split is by whole UTC days, exact to the micro-unit
by largest remainder (``core.royalties.money``), so the parts always sum to
the payment; gross and fee are split the same way and net is their
difference, so net, too, sums exactly.
"""

from __future__ import annotations

from datetime import date, timedelta

from core.royalties import Period
from core.royalties.money import largest_remainder


def service_days(start: date, days: int) -> dict[str, int]:
    """Service days per period (``YYYY-MM``) of a window of ``days`` days from ``start``."""
    out: dict[str, int] = {}
    day = start
    end = start + timedelta(days=days)
    while day < end:
        period = Period.of(day)
        stop = min(end, period.next().first_day)
        out[str(period)] = out.get(str(period), 0) + (stop - day).days
        day = stop
    return out


def recognize(amount: int, start: date, days: int, *, seed: str) -> dict[str, int]:
    """``amount`` micro-units spread over the periods of the service window, summing exactly."""
    return largest_remainder(amount, service_days(start, days), seed=seed)


__all__ = ["recognize", "service_days"]
