"""Discord premium: entitlements become grants, and replies a tier would change get the SKU button.

Discord sells the plans itself (App Subscriptions); what reaches the bot is an
*entitlement*: in every interaction (``Interaction.entitlements``, checked on
each request so a purchase counts at once even if its event is late) and as
``ENTITLEMENT_CREATE/UPDATE/DELETE`` events. Each is handed to
``core.chat.Upgrades.entitled``, idempotent on the entitlement id; a deleted
entitlement or one past its end date ends the grant. A reply that a higher
tier would change (``Reply.offers_upgrade``) gets Discord's own premium
button (``ButtonStyle.premium`` with the SKU) — never a refusal a tier cannot
change (licensing, moderators, bans).
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bots.discord.invocation import PLATFORM, scope_for
from core.chat import UPGRADE_CODE, Entitlement, Reply
from core.service import Refrain

log = logging.getLogger(__name__)

MAX_PREMIUM_BUTTONS = 5  # one row


class Premium:
    """Entitlements in, premium buttons out, for one bot."""

    def __init__(self, app: Refrain) -> None:
        self._app = app

    def skus(self) -> dict[str, int]:
        """Plan id → SKU id of the fan plans sold on Discord (cheapest first)."""
        revenue = self._app.handler.upgrades.revenue
        if revenue is None:
            return {}
        return {p.id: int(p.discord_sku) for p in revenue.plans.all()
                if p.discord_sku and p.discord_sku.isdigit() and not p.scope}

    def buttons_for(self, reply: Reply) -> list[int]:
        """The SKUs to offer under ``reply`` (none unless a higher tier would help)."""
        if not reply.offers_upgrade:
            return []
        skus = self.skus()
        if reply.code == UPGRADE_CODE:  # the plan list: each listed plan's own SKU
            listed = [b.command.split(maxsplit=1)[1] for b in reply.buttons
                      if b.command.startswith("upgrade ")]
            return [skus[p] for p in listed if p in skus][:MAX_PREMIUM_BUTTONS]
        return list(skus.values())[:MAX_PREMIUM_BUTTONS]

    async def check(self, interaction: discord.Interaction[Any]) -> None:
        """The entitlements Discord attached to this interaction, granted before it is answered."""
        for entitlement in interaction.entitlements:
            await self.apply(entitlement, getattr(interaction.user, "display_name", ""))

    async def apply(self, entitlement: discord.Entitlement, name: str = "", *,
                    deleted: bool = False) -> None:
        now = self._app.clock.now()
        ended = deleted or entitlement.deleted or (
            entitlement.ends_at is not None and entitlement.ends_at <= now)
        scope = (scope_for(entitlement.guild_id, 0)
                 if entitlement.user_id is None and entitlement.guild_id is not None else None)
        try:
            await self._app.handler.upgrades.entitled(Entitlement(
                PLATFORM, str(entitlement.id), str(entitlement.sku_id),
                str(entitlement.user_id) if entitlement.user_id is not None else None, scope,
                entitlement.starts_at, entitlement.ends_at, ended,
                deleted=deleted or entitlement.deleted,
            ), now, name)
        except Exception:  # an event must not take the gateway down; the next interaction retries
            log.exception("entitlement %s could not be applied", entitlement.id)


def premium_buttons(skus: list[int]) -> list[discord.ui.Button[Any]]:
    return [discord.ui.Button(style=discord.ButtonStyle.premium, sku_id=sku) for sku in skus]


__all__ = ["Premium", "premium_buttons"]
