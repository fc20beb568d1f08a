"""Dated conversion rates into the pool currency, and exact conversion.

The operator sets ``XTR → EUR 0.013 from 2026-12-01``; a period is converted
at the rate in force on its first day (the newest rate set with the latest
``from`` not after it). Converting several currencies rounds once, by
largest remainder: the total is the floor of the exact sum, and each
currency's part is its exact value rounded so the parts sum to that total.
A currency with no rate in force is refused by name — nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from core.revenue.errors import RevenueError
from core.royalties.money import tie_order


@dataclass(frozen=True)
class Rate:
    currency: str
    pool_currency: str
    rate: str  # exact decimal text: units of pool currency per unit of ``currency``
    valid_from: date

    @property
    def exact(self) -> Fraction:
        return Fraction(Decimal(self.rate))


def currency_code(text: str) -> str:
    code = text.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise RevenueError(f"{text!r} is not a currency; write a three-letter code such as XTR or EUR")
    return code


def parse_rate(currency: str, pool_currency: str, rate: str, valid_from: date) -> Rate:
    """A rate the operator typed, refused in words unless it is a positive exact number."""
    source, target = currency_code(currency), currency_code(pool_currency)
    try:
        value = Decimal(rate.strip())
    except InvalidOperation:
        raise RevenueError(f"{rate!r} is not a rate; write e.g. 0.013") from None
    if not value.is_finite() or value <= 0:
        raise RevenueError(f"a rate must be a positive number, not {rate!r}")
    if source == target and value != 1:
        raise RevenueError(f"{source} to {target} is always 1")
    return Rate(source, target, str(value.normalize()), valid_from)


def rate_in_force(rates: Iterable[Rate], currency: str, pool_currency: str, on: date) -> Rate | None:
    """The newest rate with the latest ``valid_from`` not after ``on`` (``rates`` oldest first)."""
    if currency == pool_currency:
        return Rate(currency, pool_currency, "1", date.min)
    best: Rate | None = None
    for rate in rates:
        same = rate.currency == currency and rate.pool_currency == pool_currency
        if same and rate.valid_from <= on and (best is None or rate.valid_from >= best.valid_from):
            best = rate
    return best


def convert(amounts: Mapping[str, int], rates: Mapping[str, Rate], *, seed: str) -> dict[str, int]:
    """Each currency's micro-units in the pool currency, rounded once by largest remainder.

    Raises ``RevenueError`` naming the first currency (alphabetically) without a rate.
    """
    missing = sorted(c for c, v in amounts.items() if v and c not in rates)
    if missing:
        raise RevenueError(f"no conversion rate for {', '.join(missing)} in force")
    exact = {c: amounts[c] * rates[c].exact for c in amounts if c in rates}
    total = sum(exact.values(), Fraction(0))
    parts = {c: _floor(v) for c, v in exact.items()}
    left = _floor(total) - sum(parts.values())
    # the units lost to flooring go to the largest remainders (ties: by the seeded hash)
    order = sorted(exact, key=lambda c: (-(exact[c] - parts[c]), tie_order(seed, c), c))
    for currency in order[:left]:
        parts[currency] += 1
    return parts


def _floor(value: Fraction) -> int:
    return value.numerator // value.denominator


__all__ = ["Rate", "convert", "currency_code", "parse_rate", "rate_in_force"]
