"""Paid plans in the chat: what is on sale, and buying one where the platform sells it.

Listing the plans is the same everywhere. Paying is the platform's: Telegram
sends a Stars invoice, Discord shows its premium button, and the console has
a demo provider that records a payment no money ever backs. A platform with
no provider answers with where to buy instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from core.chat.messages import Button, Reply, ReplyKind
from core.ids import new_id
from core.model import Grant, Tier, User
from core.ports import PolicyRepository, UserRepository
from core.requests.requester import Requester
from core.requests.service import RequestService
from core.revenue import (
    Payment,
    Plan,
    RevenueError,
    RevenueService,
    price_text,
    scope_subject,
    user_subject,
)

log = logging.getLogger(__name__)

UPGRADE_CODE = "UPGRADE"
"""The code of a reply that lists the plans (adapters add their own way to pay to it)."""


class PaymentProvider(Protocol):
    """One platform's way to take a fan's money for a plan."""

    async def checkout(self, who: Requester, user: User, plan: Plan) -> Reply: ...


def plan_line(plan: Plan, tier: Tier | None) -> str:
    prices = " or ".join(price_text(v, c) for c, v in sorted(plan.prices.items()))
    what = (f"{tier.seconds_per_period} render-seconds a {tier.period}, clips up to "
            f"{tier.max_clip_seconds} s" if tier else f"the {plan.tier} tier")
    return f"• `{plan.id}` — {plan.name}: {what}, for {plan.days} days — {prices}"


@dataclass(frozen=True)
class Paid:
    """A payment a platform confirmed (Telegram's ``successful_payment``…), as the adapter read it."""

    platform: str
    external_id: str
    plan_id: str
    currency: str
    amount: int  # micro-units
    at: datetime
    renewal: bool = False


@dataclass(frozen=True)
class Entitlement:
    """A platform's standing right to a plan (a Discord entitlement), as the adapter read it.

    ``ended``: deleted, or refunded; ``ends_at``: when it lapses (``None``: until ended);
    ``deleted``: the platform took it back (a refund), which reverses what it was paid.
    Exactly one of ``user_id`` (the platform's user id) and ``scope_id`` is set.
    """

    platform: str
    external_id: str
    sku: str
    user_id: str | None
    scope_id: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    ended: bool = False
    deleted: bool = False


def _period_id(entitlement: Entitlement) -> str:
    """The ledger id of one paid period of an entitlement: its id and the end date it was paid to."""
    if entitlement.ends_at is None:
        return entitlement.external_id
    return f"{entitlement.external_id}@{entitlement.ends_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


NOT_SELLING = "This bot sells no plans right now."
BANNED = "You're banned here, so you can't buy a plan."


class Upgrades:
    """``upgrade`` and ``upgrade PLAN``; a platform's pre-checkout and confirmed payments."""

    def __init__(
        self,
        service: RequestService,
        revenue: RevenueService | None,
        tiers: Mapping[str, Tier],
        providers: Mapping[str, PaymentProvider],
        policies: PolicyRepository,
        users: UserRepository,
    ) -> None:
        self._users = users
        self._service = service
        self._revenue = revenue
        self._tiers = tiers
        self._providers = providers
        self._policies = policies

    @property
    def revenue(self) -> RevenueService | None:
        return self._revenue

    async def pre_checkout(self, who: Requester, plan_id: str, currency: str, amount: int) -> str | None:
        """``None`` to go ahead, else the plain reason the platform shows the fan (nothing is
        charged): the plan is gone or its price changed, or the fan is banned."""
        if self._revenue is None:
            return NOT_SELLING
        try:
            self._revenue.check_checkout(plan_id, currency, amount)
        except RevenueError as error:
            return error.user_message
        user = await self._service.user_for(who)
        if user.id in (await self._policies.get(who.scope_id)).banned_users:
            return BANNED
        return None

    async def entitled(self, entitlement: Entitlement, now: datetime, display_name: str = "") -> Grant | None:
        """Grant (or end) what a platform entitlement says, idempotently by its id.

        An entitlement for a SKU no plan sells grants nothing; a deleted one ends its grant
        from ``now``, even when the deletion arrives before the creation.
        """
        if self._revenue is None:
            return None
        plan = self._revenue.plans.by_sku(entitlement.sku)
        if plan is None:
            return None
        subject = await self._subject(entitlement, display_name, now)
        if subject is None:
            return None
        source = f"{entitlement.platform}:{entitlement.external_id}"
        if entitlement.ended:
            if entitlement.deleted:
                await self._refund_store_payment(entitlement, now)
            return await self._revenue.end_grant(source, now, tier=plan.tier, plan_id=plan.id,
                                                 subject=subject)
        if subject.startswith("user:"):
            await self._record_store_payment(entitlement, plan, subject.removeprefix("user:"), source, now)
        start = entitlement.starts_at or now
        return await self._revenue.grant(Grant(new_id(), subject, plan.tier, plan.id, source, start,
                                               entitlement.ends_at))

    async def _record_store_payment(
        self, entitlement: Entitlement, plan: Plan, payer: str, source: str, now: datetime
    ) -> None:
        """Put what a store entitlement was paid into the revenue ledger, once per billing period.

        The store tells no amounts, so the plan's price in the store's currency is the gross
        (the configured fee comes off it). Each end date is one paid period: a renewal moves
        it, and a renewal that the grant already ran up to extends the service window.
        """
        assert self._revenue is not None
        currency = self._revenue.store_currencies.get(entitlement.platform)
        existing = await self._revenue.grant_of(source)
        if currency is None or (existing is not None and existing.ended_at is not None):
            return  # not a store, or taken back already: a late or repeated event pays nothing
        gross = plan.prices.get(currency)
        if gross is None:
            log.warning("plan %s has no %s price: its %s sales record no revenue", plan.id, currency,
                        entitlement.platform)
            return
        try:
            await self._revenue.record_payment(Payment(
                entitlement.platform, _period_id(entitlement), payer, plan.id, currency, gross,
                now, renewal=existing is not None), grants=False)
        except RevenueError as error:  # the money is the operator's to mend; the fan keeps the tier
            log.warning("entitlement %s: its payment was not recorded: %s", entitlement.external_id,
                        error.user_message)

    async def _refund_store_payment(self, entitlement: Entitlement, now: datetime) -> None:
        """A store that takes an entitlement back refunded its current period: reverse that payment."""
        assert self._revenue is not None
        if self._revenue.store_currencies.get(entitlement.platform) is None:
            return
        external_id = _period_id(entitlement)
        if await self._revenue.refundable(entitlement.platform, external_id) is not None:
            await self._revenue.refund(entitlement.platform, external_id, now)

    async def _subject(self, entitlement: Entitlement, display_name: str, now: datetime) -> str | None:
        if entitlement.scope_id is not None:
            return scope_subject(entitlement.scope_id)
        if entitlement.user_id is None:
            return None
        user = await self._users.find(entitlement.platform, entitlement.user_id)
        if user is None:
            user = await self._users.get_or_create(entitlement.platform, entitlement.user_id,
                                                   display_name or entitlement.user_id, now)
        return user_subject(user.id)

    async def paid(self, who: Requester, paid: Paid) -> Reply:
        """Record a confirmed payment (once, whatever the platform resends) and say what it bought."""
        if self._revenue is None:
            raise RevenueError(NOT_SELLING)
        user = await self._service.user_for(who)
        recorded = await self._revenue.record_payment(Payment(
            paid.platform, paid.external_id, user.id, paid.plan_id, paid.currency, paid.amount,
            paid.at, renewal=paid.renewal,
        ))
        plan = self._revenue.plans.get(recorded.entry.plan_id)
        grant = recorded.grant
        until = f" until {grant.until:%Y-%m-%d %H:%M} UTC" if grant and grant.until else ""
        if not recorded.created:
            return Reply(f"That payment was already recorded: {plan.name}{until}.",
                         ReplyKind.INFO, code="UPGRADED")
        verb = "renewed" if paid.renewal else "active"
        return Reply(f"Thank you! ⭐ {plan.name} is {verb}: you're on the {plan.tier} tier{until}. "
                     "Type /quota to see your render time.", ReplyKind.INFO, code="UPGRADED")

    def plans_for(self, user: User) -> list[Plan]:
        if self._revenue is None:
            return []
        priorities = {name: tier.priority for name, tier in self._tiers.items()}
        return self._revenue.plans.for_tier_above(priorities, user.tier)

    async def upgrade(self, who: Requester, plan_id: str | None) -> Reply:
        user = await self._service.user_for(who)
        if self._revenue is None or not self._revenue.plans.all():
            return Reply("This Refrain sells no plans.", ReplyKind.INFO, code=UPGRADE_CODE)
        if plan_id is not None:
            return await self._buy(who, user, self._revenue.plans.get(plan_id))
        plans = self.plans_for(user)
        now = f"You're on the {user.tier} tier"
        if user.tier_until is not None:
            now += f" until {user.tier_until:%Y-%m-%d %H:%M} UTC"
        if not plans:
            return Reply(f"{now}: there is no higher plan.", ReplyKind.INFO, code=UPGRADE_CODE,
                         ephemeral=True)
        lines = [plan_line(p, self._tiers.get(p.tier)) for p in plans]
        buttons = tuple(Button(f"⭐ {p.name}", f"upgrade {p.id}") for p in plans)
        return Reply(f"{now}. Plans:\n" + "\n".join(lines), ReplyKind.INFO, code=UPGRADE_CODE,
                     buttons=buttons, ephemeral=True, offers_upgrade=True)

    async def _buy(self, who: Requester, user: User, plan: Plan) -> Reply:
        provider = self._providers.get(who.platform)
        if provider is None:
            return Reply(f"Plans are bought with {who.platform}'s own payments: use the "
                         "upgrade button.", ReplyKind.INFO, code=UPGRADE_CODE, ephemeral=True)
        return await provider.checkout(who, user, plan)


__all__ = ["UPGRADE_CODE", "Entitlement", "Paid", "PaymentProvider", "Upgrades", "plan_line"]
