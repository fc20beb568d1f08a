"""The revenue use case: payments in, grants out, and each period's pool from what it earned.

``RevenueService`` decides everything about fans' money: whether a plan
exists and its price is what was paid (pre-checkout), the service window a
payment buys (a renewal starts where the running grant ends), the legs
(``ledger``), the grant, what a refund negates and when the grant stops,
the dated rate of each currency and the pool of a period (``basis``). The
same platform event recorded twice changes nothing the second time.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from core.ids import new_id
from core.model import Grant, Tier
from core.revenue.errors import RevenueError
from core.revenue.grants import best_grant, user_subject
from core.revenue.ledger import (
    FEES,
    REVENUE,
    EntryKind,
    RevenueEntry,
    payment_legs,
    reversal_legs,
)
from core.revenue.plans import Plan, PlanBook, fee_of
from core.revenue.ports import GrantEnd, RevenueRepository
from core.revenue.rates import Rate, convert, currency_code, rate_in_force
from core.royalties import BasisLine, Period, PoolBasis


@dataclass(frozen=True)
class Payment:
    """A payment a platform confirmed: who, which plan, how much, the platform's id."""

    platform: str
    external_id: str
    payer: str  # internal user id
    plan_id: str
    currency: str
    gross: int  # micro-units
    at: datetime
    renewal: bool = False
    subject: str | None = None  # default user:<payer>; scope:<id> for a server plan


@dataclass(frozen=True)
class Recorded:
    entry: RevenueEntry
    grant: Grant | None
    created: bool  # False: this event was already recorded; nothing changed


class RevenueService:
    """Payments, refunds, rates and pools on a ``RevenueRepository``."""

    def __init__(
        self,
        repository: RevenueRepository,
        plans: PlanBook,
        tiers: Mapping[str, Tier],
        *,
        fees: Mapping[str, Fraction],
        pool_currency: str,
        share: Fraction,
        store_currencies: Mapping[str, str] | None = None,
    ) -> None:
        self._repo = repository
        self.store_currencies = dict(store_currencies or {})
        """Platforms that sell through their own store (Discord): the currency their prices are in."""
        self.plans = plans
        self._tiers = tiers
        self._fees = fees
        self.pool_currency = pool_currency
        self.share = share

    # -- buying ----------------------------------------------------------------------------
    def check_checkout(self, plan_id: str, currency: str, amount: int) -> Plan:
        """A plan that exists and costs exactly ``amount`` in ``currency``, else a refusal."""
        plan = self.plans.find(plan_id)
        if plan is None:
            raise RevenueError("this plan is no longer on sale; send /upgrade to see the plans")
        if plan.prices.get(currency.upper()) != amount:
            raise RevenueError("the price of this plan changed; send /upgrade for a fresh invoice")
        return plan

    async def record_payment(self, payment: Payment, *, grants: bool = True) -> Recorded:
        """Record a confirmed payment once and grant its tier for its service window.

        ``grants=False``: the platform's own entitlement carries the grant (Discord), so only
        the money is recorded.
        """
        existing = await self._repo.find_entry(payment.platform, payment.external_id)
        if existing is not None:
            return Recorded(existing, await self._repo.find_grant(_source(existing)), False)
        plan = self.plans.get(payment.plan_id)
        if payment.gross <= 0:
            raise RevenueError(f"a payment of {payment.gross} micro-units is not a payment")
        currency = currency_code(payment.currency)
        if not await self._repo.user_exists(payment.payer):
            raise RevenueError(f"no user {payment.payer!r}; a payment must come from a known user")
        subject = payment.subject or user_subject(payment.payer)
        start = payment.at
        for running in await self._repo.grants_of(subject):
            if running.plan_id == plan.id and running.active(payment.at) and running.until is not None:
                start = max(start, running.until)  # a renewal extends the running grant
        kind = EntryKind.RENEWAL if payment.renewal else EntryKind.PAYMENT
        rate = self._fees.get(payment.platform, Fraction(0))
        entry = RevenueEntry(
            new_id(), kind, payment.platform, payment.external_id, payment.payer, plan.id,
            currency, payment.gross, fee_of(payment.gross, rate), payment.at, start, plan.days,
            subject,
        )
        legs = payment_legs(entry, await self._repo.closed_periods())
        grant = Grant(new_id(), subject, plan.tier, plan.id, _source(entry), start,
                      start + timedelta(days=plan.days)) if grants else None
        if not await self._repo.record(entry, legs, grant=grant):
            return await self.record_payment(payment, grants=grants)  # lost a race to the same event
        return Recorded(entry, grant, True)

    async def refund(
        self, platform: str, external_id: str, at: datetime, *, chargeback: bool = False
    ) -> Recorded:
        """Negate a payment's legs (closed periods untouched) and end its grant from ``at``."""
        kind = EntryKind.CHARGEBACK if chargeback else EntryKind.REFUND
        original = await self._repo.find_entry(platform, external_id)
        if original is None or original.kind.reverses:
            raise RevenueError(f"no {platform} payment {external_id!r} to refund")
        done = await self._repo.reversal_of(original.id)
        if done is not None:
            if done.kind is kind:
                return Recorded(done, None, False)
            raise RevenueError(f"payment {external_id} was already {done.kind.value.lower()}ed")
        entry = RevenueEntry(
            new_id(), kind, platform, f"{kind.value.lower()}:{external_id}", original.payer,
            original.plan_id, original.currency, -original.gross, -original.fee, at,
            original.service_start, original.service_days, original.subject, original.id,
        )
        legs = reversal_legs(entry.id, await self._repo.legs_of(original.id),
                             await self._repo.closed_periods())
        if not await self._repo.record(entry, legs, end=GrantEnd(_source(original), at)):
            return await self.refund(platform, external_id, at, chargeback=chargeback)
        return Recorded(entry, None, True)

    async def refundable(self, platform: str, external_id: str) -> RevenueEntry | None:
        """The payment a refund of ``external_id`` would reverse; ``None`` when there is none or
        it was already reversed (``refund`` says which, in words)."""
        original = await self._repo.find_entry(platform, external_id)
        if original is None or original.kind.reverses:
            return None
        return None if await self._repo.reversal_of(original.id) is not None else original

    # -- grants without money (Discord entitlements) ---------------------------------------
    async def grant(self, grant: Grant) -> Grant:
        """Add or update the grant of ``grant.source`` (idempotent on the source). A grant that
        was ended stays ended: a platform's late or repeated "created" never revives it."""
        found = await self._repo.find_grant(grant.source)
        if found is not None:
            grant = dataclasses.replace(grant, id=found.id, ended_at=found.ended_at)
        await self._repo.put_grant(grant)
        return grant

    async def end_grant(self, source: str, at: datetime, *, tier: str = "", plan_id: str = "",
                        subject: str = "") -> Grant:
        """End the grant of ``source`` from ``at``. Unknown yet (its "deleted" overtook its
        "created"): an already-ended grant is stored, so the "created" that follows grants nothing."""
        found = await self._repo.find_grant(source)
        if found is None:
            found = Grant(new_id(), subject, tier, plan_id, source, at, at)
        ended = dataclasses.replace(found, ended_at=min(at, found.ended_at or at))
        await self._repo.put_grant(ended)
        return ended

    async def grant_of(self, source: str) -> Grant | None:
        """The grant a platform entitlement or payment ``source`` made, if any."""
        return await self._repo.find_grant(source)

    async def current_grant(self, subject: str, now: datetime) -> Grant | None:
        return best_grant(await self._repo.grants_of(subject), self._tiers, now)

    # -- rates and pools -------------------------------------------------------------------
    async def set_rate(self, rate: Rate, at: datetime) -> Rate:
        if rate.pool_currency != self.pool_currency:
            raise RevenueError(f"the pool is in {self.pool_currency}; set rates into "
                               f"{self.pool_currency}, not {rate.pool_currency}")
        await self._repo.add_rate(rate, at)
        return rate

    async def rates(self) -> list[Rate]:
        return await self._repo.rates()

    async def recognized(self, period: Period) -> dict[str, tuple[int, int]]:
        """(gross, fees) recognized in the period per currency (refunds and chargebacks net)."""
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for account, currency, amount in await self._repo.period_totals(str(period)):
            if account == REVENUE:
                totals[currency][0] += amount
            elif account == FEES:
                totals[currency][0] += amount
                totals[currency][1] += amount
        return {c: (g, f) for c, (g, f) in sorted(totals.items())}

    async def basis(self, period: Period) -> PoolBasis:
        """The period's recognized revenue, converted at its rates, and its share: the pool.

        Raises ``RevenueError`` naming each currency with no rate in force on the
        period's first day; nothing is guessed.
        """
        recognized = await self.recognized(period)
        nets = {c: g - f for c, (g, f) in recognized.items()}
        all_rates = await self._repo.rates()
        rates: dict[str, Rate] = {}
        missing = []
        for currency in nets:
            found = rate_in_force(all_rates, currency, self.pool_currency, period.first_day)
            if found is None:
                missing.append(currency)
            else:
                rates[currency] = found
        if missing:
            raise RevenueError(
                f"no {'/'.join(missing)} → {self.pool_currency} rate in force on "
                f"{period.first_day}: set one, e.g. `refrain revenue rates set {missing[0]} "
                f"{self.pool_currency} RATE --from {period.first_day}`; nothing was allocated"
            )
        converted = convert(nets, rates, seed=str(period))
        lines = tuple(
            BasisLine(c, g, f, g - f, rates[c].rate, converted[c])
            for c, (g, f) in recognized.items()
        )
        net = sum(converted.values())
        pool = max(0, int(net * self.share))
        return PoolBasis(str(period), self.pool_currency, lines, net, _share_text(self.share), pool)


def _source(entry: RevenueEntry) -> str:
    return f"{entry.platform}:{entry.external_id}"


def _share_text(share: Fraction) -> str:
    return str((Decimal(share.numerator) / Decimal(share.denominator)).normalize())


def exact(text: str) -> Fraction:
    """Settings' decimal text → an exact fraction."""
    return Fraction(Decimal(text))


__all__ = ["Payment", "Recorded", "RevenueService", "exact"]
