"""Exact money: integer micro-units, and splits that never lose or invent a micro-unit.

Amounts are stored as integers of 10⁻⁶ of the platform currency, so sums in
SQL are exact on every backend. A split computes every share as an exact
rational first and only then rounds, by *largest remainder*: each part gets
the floor of its exact value, and the micro-units left over go one each to
the parts with the largest fractional remainders. The result sums exactly to
the source and no part is off by a whole micro-unit.

Ties between equal remainders need a deterministic order. Ordering by party
id alone would hand every tie to the same party run after run — a small but
systematic gain (ROYALTIES.md invariant 10). Ties are therefore broken by a
hash of ``(seed, key)`` with the run id as seed: reproducible for a run,
unbiased across runs; the key itself breaks the (astronomically unlikely)
hash tie.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Hashable, Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TypeVar

from core.errors import UserFacing

MICROS = 1_000_000
"""Micro-units per currency unit."""

MAX_POOL_MICROS = 10**18
"""Largest pool accepted (10¹² currency units): keeps every stored amount in a signed 64-bit column."""

K = TypeVar("K", bound=Hashable)


class AmountError(UserFacing, ValueError):
    """An amount the user typed is not a usable sum of money."""


def parse_amount(text: str) -> int:
    """``"1234.56"`` → micro-units; refuses what is not an exact, positive, sane amount.

    More than six decimals would need rounding the user did not ask for, so
    it is refused rather than silently rounded.
    """
    cleaned = text.strip().replace("_", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise AmountError(f"{text!r} is not an amount; write e.g. 1000 or 1234.56") from None
    if not value.is_finite():
        raise AmountError(f"{text!r} is not an amount; write e.g. 1000 or 1234.56")
    micros = value * MICROS
    if micros != micros.to_integral_value():
        raise AmountError(f"{text!r} has more than 6 decimals; amounts are exact to 0.000001")
    if micros <= 0:
        raise AmountError(f"the amount must be positive, not {text}")
    if micros > MAX_POOL_MICROS:
        raise AmountError(f"{text} is too large (at most {MAX_POOL_MICROS // MICROS:,})")
    return int(micros)


def format_micros(micros: int, currency: str | None = None) -> str:
    """``1234560000`` → ``"1234.560000"`` (with `` EUR`` when a currency is given)."""
    sign = "-" if micros < 0 else ""
    whole, frac = divmod(abs(micros), MICROS)
    text = f"{sign}{whole}.{frac:06d}"
    return f"{text} {currency}" if currency else text


def tie_order(seed: str, key: object) -> bytes:
    """The deterministic, unbiased rank of ``key`` among equal remainders for one ``seed``."""
    return hashlib.sha256(f"{seed}\x1f{key!r}".encode()).digest()


def largest_remainder(total: int, weights: Mapping[K, int], *, seed: str) -> dict[K, int]:
    """Split ``total`` micro-units in proportion to integer ``weights``, summing exactly.

    Every part is ``floor(total·w/W)`` or one more; the extra units go to the
    largest remainders, ties ordered by :func:`tie_order`. Zero weights get 0.
    Raises ``ValueError`` for negative weights or an all-zero split of a
    non-zero total (the money would have nowhere to go).
    """
    if any(w < 0 for w in weights.values()):
        raise ValueError("weights must not be negative")
    denominator = sum(weights.values())
    if denominator == 0:
        if total != 0:
            raise ValueError("cannot split a non-zero total over zero weights")
        return {key: 0 for key in weights}
    parts: dict[K, int] = {}
    remainders: list[tuple[int, bytes, str, K]] = []
    for key, weight in weights.items():
        quotient, remainder = divmod(total * weight, denominator)
        parts[key] = quotient
        if remainder:
            remainders.append((-remainder, tie_order(seed, key), repr(key), key))
    left = total - sum(parts.values())
    remainders.sort(key=lambda r: (r[0], r[1], r[2]))
    for _neg, _rank, _text, key in remainders[:left]:
        parts[key] += 1
    return parts


def split_exact(total: int, fractions: Mapping[K, Fraction], *, seed: str) -> dict[K, int]:
    """:func:`largest_remainder` for exact fractions (brought to one common denominator)."""
    common = math.lcm(*(value.denominator for value in fractions.values()))
    weights = {key: int(value * common) for key, value in fractions.items()}
    return largest_remainder(total, weights, seed=seed)

