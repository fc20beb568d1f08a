"""The console's DEMO payment provider: it records a payment no money ever backs.

The console has no platform to take a fan's money, and `make demo` still has
to show a fan upgrading. This provider says, in every reply, that the payment
is a demonstration; it goes through the same revenue use case as Telegram
Stars and Discord (ledger entry, grant, recognized revenue), under its own
platform name ``demo`` so the operator's reports never mix it with real money.
"""

from __future__ import annotations

from core.chat import Reply, ReplyKind
from core.ids import new_id
from core.model import User
from core.ports import Clock
from core.requests import Requester
from core.revenue import Payment, Plan, RevenueService, price_text

DEMO_PLATFORM = "demo"
DEMO_CURRENCY = "EUR"


class DemoPayments:
    """``upgrade PLAN`` on the console: a labelled demo payment, granted at once."""

    def __init__(self, revenue: RevenueService, clock: Clock) -> None:
        self._revenue = revenue
        self._clock = clock

    async def checkout(self, who: Requester, user: User, plan: Plan) -> Reply:
        currency = DEMO_CURRENCY if DEMO_CURRENCY in plan.prices else sorted(plan.prices)[0]
        price = plan.price(currency)
        recorded = await self._revenue.record_payment(Payment(
            DEMO_PLATFORM, f"demo-{new_id()}", user.id, plan.id, currency, price,
            self._clock.now(),
        ))
        grant = recorded.grant
        until = f" until {grant.ends_at:%Y-%m-%d %H:%M} UTC" if grant and grant.ends_at else ""
        return Reply(
            f"DEMO PAYMENT (no real money): {price_text(price, currency)} for {plan.name}. "
            f"You're on the {plan.tier} tier{until}. Type `quota` to see it.",
            ReplyKind.INFO, code="UPGRADED", ephemeral=True,
        )


__all__ = ["DEMO_PLATFORM", "DemoPayments"]
