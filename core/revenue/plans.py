"""Paid plans as the rules see them: the tier, the service days, the exact prices.

The settings hold text (``"2.99"``); a plan holds micro-units, so a price is
as exact as every other amount of money here. Unknown plan ids are refused
with the list of plans a person can pick from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from core.revenue.errors import RevenueError
from core.royalties.money import MICROS


@dataclass(frozen=True)
class Plan:
    id: str
    tier: str
    days: int
    prices: Mapping[str, int]  # currency → micro-units
    title: str = ""
    discord_sku: str | None = None
    scope: bool = False  # a server subscription (a guild's shared pool), not a fan's tier

    @property
    def name(self) -> str:
        return self.title or self.id

    def price(self, currency: str) -> int:
        try:
            return self.prices[currency.upper()]
        except KeyError:
            raise RevenueError(
                f"plan {self.id!r} has no price in {currency.upper()} "
                f"(it is sold in {', '.join(sorted(self.prices))})"
            ) from None

    def describe(self) -> str:
        prices = ", ".join(price_text(v, c) for c, v in sorted(self.prices.items()))
        return f"{self.name}: the {self.tier} tier for {self.days} days — {prices}"


def price_text(micros: int, currency: str) -> str:
    """``150 ⭐`` for Stars, ``2.99 EUR`` otherwise: what a fan reads on a plan."""
    whole, frac = divmod(micros, MICROS)
    if currency == "XTR" and frac == 0:
        return f"{whole} ⭐"
    decimals = f"{frac:06d}".rstrip("0").ljust(2, "0")
    return f"{whole}.{decimals} {currency}"


def micros_of(text: str) -> int:
    """Exact decimal text → micro-units (the settings validated the range)."""
    value = Decimal(text) * MICROS
    if value != value.to_integral_value():
        raise RevenueError(f"{text} has more than 6 decimals")
    return int(value)


class PlanBook:
    """The plans on sale, by id and by Discord SKU."""

    def __init__(self, plans: Iterable[Plan]) -> None:
        self._plans = {plan.id: plan for plan in plans}

    def all(self) -> list[Plan]:
        return sorted(self._plans.values(), key=lambda p: (p.scope, min(p.prices.values()), p.id))

    def get(self, plan_id: str) -> Plan:
        plan = self._plans.get(plan_id.strip())
        if plan is None:
            known = ", ".join(sorted(self._plans)) or "none are configured"
            raise RevenueError(f"there is no plan {plan_id!r}; the plans are: {known}")
        return plan

    def find(self, plan_id: str) -> Plan | None:
        return self._plans.get(plan_id)

    def by_sku(self, sku_id: str) -> Plan | None:
        return next((p for p in self._plans.values() if p.discord_sku == sku_id), None)

    def for_tier_above(self, priority_of: Mapping[str, int], current: str) -> list[Plan]:
        """Fan plans whose tier ranks above ``current`` (what an upgrade button may offer)."""
        here = priority_of.get(current, 0)
        return [p for p in self.all() if not p.scope and priority_of.get(p.tier, 0) > here]


def fee_of(gross: int, rate: Fraction) -> int:
    """The platform's fee on ``gross``, rounded down: the fee never exceeds its rate."""
    return int(gross * rate)


__all__ = ["Plan", "PlanBook", "fee_of", "micros_of", "price_text"]
