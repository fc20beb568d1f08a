"""Fans' payments on SQLite and PostgreSQL: grants, idempotency, refunds, bad input, and the
revenue invariants as a hypothesis property (recognized revenue is exactly net payments minus
refunds; every run's pool is the share of its period's recognized revenue, reversals included)."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.model import Grant, Tier
from core.revenue import (
    REVENUE,
    Payment,
    Plan,
    PlanBook,
    RevenueError,
    RevenueService,
    convert,
    parse_rate,
    rate_in_force,
)
from core.royalties import Period, RoyaltyService, RunRequest
from core.royalties.rules import RULES_V1
from storage.database import Database
from storage.repositories.royalties import SqlRoyaltyRepository
from storage.sessions import Sessions

T = TypeVar("T")
TIERS = {
    "free": Tier("free", 60, 30, 0),
    "fan": Tier("fan", 600, 60, 1),
    "pro": Tier("pro", 3600, 120, 2),
}
PLANS = PlanBook([
    Plan("fan-month", "fan", 30, {"XTR": 150_000_000, "EUR": 2_990_000}),
    Plan("pro-month", "pro", 30, {"XTR": 450_000_000, "EUR": 8_990_000}),
    Plan("fan-week", "fan", 7, {"EUR": 990_000}),
])
SHARE = Fraction(1, 2)


def _service(database: Database) -> RevenueService:
    return RevenueService(database.revenue, PLANS, TIERS,
                          fees={"telegram": Fraction(0), "demo": Fraction(5, 100)},
                          pool_currency="EUR", share=SHARE)


async def _user(database: Database, name: str) -> str:
    user = await database.stores.users.get_or_create("telegram", name, name,
                                                     datetime(2026, 1, 1, tzinfo=UTC))
    return user.id


async def test_a_payment_grants_its_tier_once_and_a_refund_ends_it(database: Database) -> None:
    service = _service(database)
    payer = await _user(database, "ann")
    paid_at = datetime(2026, 11, 20, 12, tzinfo=UTC)
    payment = Payment("telegram", "charge-1", payer, "fan-month", "XTR", 150_000_000, paid_at)
    first = await service.record_payment(payment)
    again = await service.record_payment(payment)
    assert first.created and not again.created and again.entry.id == first.entry.id
    grants = await database.stores.grants.active_grants([f"user:{payer}"], paid_at)
    assert [g.tier for g in grants] == ["fan"]
    assert grants[0].ends_at == paid_at + timedelta(days=30)

    renewal = Payment("telegram", "charge-2", payer, "fan-month", "XTR", 150_000_000,
                      paid_at + timedelta(days=29), renewal=True)
    renewed = await service.record_payment(renewal)
    assert renewed.grant is not None and renewed.grant.starts_at == paid_at + timedelta(days=30)

    refund_at = paid_at + timedelta(days=3)
    done = await service.refund("telegram", "charge-1", refund_at)
    assert done.created
    assert not (await service.refund("telegram", "charge-1", refund_at)).created
    assert await database.stores.grants.active_grants([f"user:{payer}"], refund_at) == []
    november = await service.recognized(Period(2026, 11))
    assert november["XTR"][0] == 0  # the refunded payment's November share is gone


async def test_bad_input_is_refused_in_words_and_nothing_is_recorded(database: Database) -> None:
    service = _service(database)
    payer = await _user(database, "bob")
    at = datetime(2026, 11, 5, tzinfo=UTC)
    with pytest.raises(RevenueError, match="no plan 'gold'"):
        await service.record_payment(Payment("demo", "p1", payer, "gold", "EUR", 1, at))
    with pytest.raises(RevenueError, match="no user"):
        await service.record_payment(Payment("demo", "p2", "nobody", "fan-month", "EUR", 2_990_000, at))
    with pytest.raises(RevenueError, match="no longer on sale"):
        service.check_checkout("gold", "XTR", 150_000_000)
    with pytest.raises(RevenueError, match="price of this plan changed"):
        service.check_checkout("fan-month", "XTR", 100_000_000)
    with pytest.raises(RevenueError, match="no telegram payment"):
        await service.refund("telegram", "never-paid", at)
    assert await database.revenue.periods() == []
    assert await database.stores.grants.active_grants([f"user:{payer}"], at) == []

    await service.record_payment(Payment("telegram", "c9", payer, "fan-month", "XTR", 150_000_000, at))
    with pytest.raises(RevenueError, match="XTR → EUR rate"):
        await service.basis(Period(2026, 11))
    await service.set_rate(parse_rate("XTR", "EUR", "0.013", date(2026, 11, 1)), at)
    basis = await service.basis(Period(2026, 11))
    # paid 5 November: 26 of its 30 days are November's → 130 ⭐ × 0.013 EUR, half of it the pool
    assert basis.net == 1_690_000 and basis.pool == 845_000
    with pytest.raises(RevenueError, match="pool is in EUR"):
        await service.set_rate(parse_rate("XTR", "USD", "0.014", date(2026, 11, 1)), at)


async def test_platform_grants_are_idempotent_and_a_delete_may_come_first(database: Database) -> None:
    service = _service(database)
    payer = await _user(database, "dee")
    subject = f"user:{payer}"
    at = datetime(2026, 11, 10, tzinfo=UTC)
    first = Grant("g1", subject, "pro", "pro-month", "discord:e1", at, at + timedelta(days=30))
    await service.grant(first)
    await service.grant(dataclasses.replace(first, id="g2"))  # the same event again
    [stored] = await database.revenue.grants_of(subject)
    assert stored.id == "g1"
    renewed = dataclasses.replace(first, ends_at=at + timedelta(days=60))
    await service.grant(renewed)  # an update moves the end
    assert (await database.revenue.grants_of(subject))[0].ends_at == at + timedelta(days=60)
    ended = await service.end_grant("discord:e1", at + timedelta(days=2))
    assert await database.stores.grants.active_grants([subject], at + timedelta(days=3)) == []
    await service.grant(renewed)  # a late create never revives it
    assert (await database.revenue.grants_of(subject))[0].ended_at == ended.ended_at

    # the delete of e2 overtakes its create: nothing is ever granted for it
    await service.end_grant("discord:e2", at, tier="fan", plan_id="fan-month", subject=subject)
    await service.grant(Grant("g3", subject, "fan", "fan-month", "discord:e2", at,
                              at + timedelta(days=30)))
    active = await database.stores.grants.active_grants([subject], at + timedelta(days=1))
    assert [g.source for g in active] == ["discord:e1"]  # only e1, still running then


# -- the property -------------------------------------------------------------------------------
_years = itertools.count()

Op = tuple[str, int, int, int]  # (kind, who/which, plan index, days since the previous op)


@st.composite
def histories(draw: st.DrawFn) -> list[Op]:
    kinds = st.sampled_from(["pay", "pay", "renew", "refund", "chargeback", "close"])
    return draw(st.lists(
        st.tuples(kinds, st.integers(0, 5), st.integers(0, 2), st.integers(0, 25)),
        min_size=1, max_size=18,
    ))


def _run_async(db_url: str, body: Callable[[Database], Awaitable[T]]) -> T:
    async def main() -> T:
        database = await Database.open(db_url)
        try:
            return await body(database)
        finally:
            await database.close()

    return asyncio.run(main())


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=histories())
def test_recognized_revenue_is_net_payments_minus_refunds_and_pools_follow_it(
    db_url: str, ops: list[Op]
) -> None:
    year = 2040 + next(_years) * 3  # each example has its own years (periods never interact)
    plans = PLANS.all()

    async def body(database: Database) -> None:
        service = _service(database)
        royalties = RoyaltyService(SqlRoyaltyRepository(Sessions(database.engine)), RULES_V1)
        users = [await _user(database, f"y{year}-u{i}") for i in range(3)]
        await service.set_rate(parse_rate("XTR", "EUR", "0.013", date(year, 1, 1)), datetime.now(UTC))
        now = datetime(year, 1, 3, 9, tzinfo=UTC)
        payments: list[Payment] = []
        reversed_ids: set[str] = set()
        closed: list[Period] = []
        pools: dict[str, int] = {}
        for n, (kind, who, plan_index, days) in enumerate(ops):
            now += timedelta(days=days, minutes=7)
            if kind in ("pay", "renew"):
                plan = plans[plan_index % len(plans)]
                currency = sorted(plan.prices)[who % len(plan.prices)]
                payments.append(Payment("demo", f"{year}-{n}", users[who % 3], plan.id, currency,
                                        plan.prices[currency], now, renewal=kind == "renew"))
                await service.record_payment(payments[-1])
                await service.record_payment(payments[-1])  # the same event twice
            elif kind in ("refund", "chargeback") and payments:
                target = payments[who % len(payments)]
                if target.external_id not in reversed_ids:
                    await service.refund("demo", target.external_id, now,
                                         chargeback=kind == "chargeback")
                    reversed_ids.add(target.external_id)
            elif kind == "close":
                period = closed[-1].next() if closed else Period(year, 1)
                if period.end > now:
                    continue
                basis = await service.basis(period)
                request = RunRequest(period, basis.pool, "EUR", basis=basis)
                run = await royalties.run(request, now)
                await royalties.close(period, now)
                assert run.run.pool_micros == basis.pool
                pools[str(period)] = basis.pool
                closed.append(period)

        # 1. over all periods, recognized revenue is net payments minus refunds, per currency
        fee = {"demo": Fraction(5, 100)}
        expected: dict[str, int] = {}
        for p in payments:
            if p.external_id in reversed_ids:
                continue
            net = p.gross - int(p.gross * fee["demo"])
            expected[p.currency] = expected.get(p.currency, 0) + net
        recognized: dict[str, int] = {}
        mine = {str(y) for y in range(year, year + 3)}
        for period in await database.revenue.periods():
            if period[:4] not in mine:
                continue
            for account, currency, amount in await database.revenue.period_totals(period):
                if account == REVENUE:
                    recognized[currency] = recognized.get(currency, 0) + amount
        assert {c: v for c, v in recognized.items() if v} == {c: v for c, v in expected.items() if v}

        # 2. each closed period's run still has the pool its recognized revenue gives: the
        #    refunds that came after it landed in later periods, never in it
        rates = await service.rates()
        for name, pool in pools.items():
            period = Period.parse(name)
            nets = {c: g - f for c, (g, f) in (await service.recognized(period)).items()}
            in_force = {c: r for c in nets
                        if (r := rate_in_force(rates, c, "EUR", period.first_day)) is not None}
            converted = sum(convert(nets, in_force, seed=name).values())
            assert pool == max(0, int(converted * SHARE))
            stored = await royalties.basis(period)
            assert stored is not None and stored.pool == pool

    _run_async(db_url, body)
