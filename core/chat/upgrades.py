"""Paid plans in the chat: what is on sale, and buying one where the platform sells it.

Listing the plans is the same everywhere. Paying is the platform's: Telegram
sends a Stars invoice, Discord shows its premium button, and the console has
a demo provider that records a payment no money ever backs. A platform with
no provider answers with where to buy instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from core.chat.messages import Button, Reply, ReplyKind
from core.model import Tier, User
from core.requests.requester import Requester
from core.requests.service import RequestService
from core.revenue import Plan, RevenueService, price_text

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


class Upgrades:
    """``upgrade`` and ``upgrade PLAN``."""

    def __init__(
        self,
        service: RequestService,
        revenue: RevenueService | None,
        tiers: Mapping[str, Tier],
        providers: Mapping[str, PaymentProvider],
    ) -> None:
        self._service = service
        self._revenue = revenue
        self._tiers = tiers
        self._providers = providers

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


__all__ = ["UPGRADE_CODE", "PaymentProvider", "Upgrades", "plan_line"]
