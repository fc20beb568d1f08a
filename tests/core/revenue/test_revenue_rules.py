"""The pure rules of fans' money: recognition by service days, exact conversion, legs, grants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.model import Grant, Tier, User
from core.revenue import (
    FEES,
    PAYER,
    REVENUE,
    EntryKind,
    Plan,
    PlanBook,
    Rate,
    RevenueEntry,
    RevenueError,
    convert,
    effective_user,
    parse_rate,
    payment_legs,
    rate_in_force,
    recognize,
    reversal_legs,
    service_days,
)

TIERS = {
    "free": Tier("free", 60, 30, 0),
    "fan": Tier("fan", 600, 60, 1),
    "pro": Tier("pro", 3600, 120, 2),
}


def test_a_30_day_plan_paid_on_20_november_is_11_30_november_and_19_30_december() -> None:
    assert service_days(date(2026, 11, 20), 30) == {"2026-11": 11, "2026-12": 19}
    parts = recognize(30_000_000, date(2026, 11, 20), 30, seed="x")
    assert parts == {"2026-11": 11_000_000, "2026-12": 19_000_000}


@given(
    amount=st.integers(0, 10**15),
    start=st.dates(date(2020, 1, 1), date(2040, 1, 1)),
    days=st.integers(1, 366),
)
def test_recognition_sums_exactly_and_each_part_is_within_one_micro_of_its_days(
    amount: int, start: date, days: int
) -> None:
    parts = recognize(amount, start, days, seed="s")
    assert sum(parts.values()) == amount
    for period, n in service_days(start, days).items():
        assert abs(parts[period] - Fraction(amount * n, days)) < 1


def _entry(gross: int, fee: int, at: datetime, days: int = 30) -> RevenueEntry:
    return RevenueEntry("e1", EntryKind.PAYMENT, "demo", "ch1", "u1", "fan-month", "XTR",
                        gross, fee, at, at, days, "user:u1")


def test_payment_legs_balance_and_split_gross_fee_and_net_over_the_service_days() -> None:
    at = datetime(2026, 11, 20, 15, tzinfo=UTC)
    legs = payment_legs(_entry(150_000_000, 15_000_000, at), frozenset())
    assert sum(leg.amount for leg in legs) == 0
    assert next(leg for leg in legs if leg.account == PAYER).amount == -150_000_000
    net = {leg.period: leg.amount for leg in legs if leg.account == REVENUE}
    fees = {leg.period: leg.amount for leg in legs if leg.account == FEES}
    assert net == {"2026-11": 49_500_000, "2026-12": 85_500_000}
    assert fees == {"2026-11": 5_500_000, "2026-12": 9_500_000}


def test_a_refund_never_rewrites_a_closed_period() -> None:
    at = datetime(2026, 11, 20, tzinfo=UTC)
    legs = payment_legs(_entry(30_000_000, 0, at), frozenset())
    back = reversal_legs("r1", legs, frozenset({"2026-11"}))
    assert sum(leg.amount for leg in back) == 0
    assert {leg.period for leg in back} == {"2026-12"}  # November's share is reversed in December
    assert sum(leg.amount for leg in back if leg.account == REVENUE) == -30_000_000


def test_rates_are_dated_and_the_latest_set_wins() -> None:
    rates = [
        parse_rate("xtr", "eur", "0.013", date(2026, 11, 1)),
        parse_rate("XTR", "EUR", "0.012", date(2026, 12, 1)),
        parse_rate("XTR", "EUR", "0.0125", date(2026, 12, 1)),
    ]
    assert rate_in_force(rates, "XTR", "EUR", date(2026, 11, 30)).rate == "0.013"  # type: ignore[union-attr]
    assert rate_in_force(rates, "XTR", "EUR", date(2026, 12, 1)).rate == "0.0125"  # type: ignore[union-attr]
    assert rate_in_force(rates, "XTR", "EUR", date(2026, 10, 31)) is None
    assert rate_in_force(rates, "EUR", "EUR", date(2000, 1, 1)).rate == "1"  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["abc", "-1", "0", "nan"])
def test_a_bad_rate_is_refused_in_words(text: str) -> None:
    with pytest.raises(RevenueError, match="rate"):
        parse_rate("XTR", "EUR", text, date(2026, 12, 1))


def test_a_bad_currency_is_refused_in_words() -> None:
    with pytest.raises(RevenueError, match="not a currency"):
        parse_rate("STARS", "EUR", "0.01", date(2026, 12, 1))


@given(st.dictionaries(st.sampled_from(["XTR", "USD", "EUR"]), st.integers(1, 10**12), min_size=1))
def test_conversion_rounds_once_and_the_parts_sum_to_the_floor_of_the_exact_total(
    amounts: dict[str, int]
) -> None:
    rates = {"XTR": Rate("XTR", "EUR", "0.013", date.min), "USD": Rate("USD", "EUR", "0.92", date.min),
             "EUR": Rate("EUR", "EUR", "1", date.min)}
    out = convert(amounts, rates, seed="p")
    exact = sum((amounts[c] * rates[c].exact for c in amounts), Fraction(0))
    assert sum(out.values()) == exact.numerator // exact.denominator
    for c in amounts:
        assert abs(out[c] - amounts[c] * rates[c].exact) < 1


def test_conversion_without_a_rate_names_the_currency() -> None:
    with pytest.raises(RevenueError, match="USD"):
        convert({"USD": 5, "EUR": 1}, {"EUR": Rate("EUR", "EUR", "1", date.min)}, seed="p")


def test_unknown_plan_ids_are_refused_with_the_list_of_plans() -> None:
    book = PlanBook([Plan("fan-month", "fan", 30, {"XTR": 150_000_000})])
    with pytest.raises(RevenueError, match=r"no plan 'gold'.*fan-month"):
        book.get("gold")


def test_a_grant_lifts_the_tier_only_while_it_runs_and_only_upwards() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    user = User("u1", "telegram", "1", "Ann")
    grant = Grant("g", "user:u1", "fan", "fan-month", "telegram:c", now - timedelta(days=1),
                  now + timedelta(days=29))
    lifted = effective_user(user, [grant], TIERS, now)
    assert lifted.tier == "fan" and lifted.tier_until == grant.ends_at
    assert effective_user(user, [grant], TIERS, now + timedelta(days=30)).tier == "free"
    ended = Grant(*[getattr(grant, f) for f in ("id", "subject", "tier", "plan_id", "source",
                                                 "starts_at", "ends_at")], ended_at=now)
    assert effective_user(user, [ended], TIERS, now).tier == "free"
    pro_user = User("u1", "telegram", "1", "Ann", tier="pro")
    assert effective_user(pro_user, [grant], TIERS, now).tier == "pro"
