"""Discord premium through the real discord.py and the fake gateway: a free fan runs out, sees the
premium button, the entitlement arrives, the longer clip is granted; its deletion ends the tier;
events twice grant once; a delete before its create is handled; /premium lists the plans; each
paid period of an entitlement is revenue once, and a deletion refunds it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from config import PlanSettings, RevenueSettings
from tests.bots.discord.conftest import BotRunner
from tests.bots.discord.helpers import accept_terms, last_answer, opt
from tests.fakes.fake_discord import GUILD_ID, FakeDiscord, Recorded
from tests.support.world import ConsoleWorld, console_world

FAN_SKU = 1_300_000_000_000_000_001
PRO_SKU = 1_300_000_000_000_000_002
SERVER_SKU = 1_300_000_000_000_000_003
PLANS = RevenueSettings(plans={
    "fan-month": PlanSettings(tier="fan", prices={"XTR": "150", "EUR": "2.99"},
                              discord_sku=str(FAN_SKU), title="Fan, 30 days"),
    "pro-month": PlanSettings(tier="pro", prices={"XTR": "450"}, discord_sku=str(PRO_SKU),
                              title="Pro, 30 days"),
    "server-month": PlanSettings(tier="fan", prices={"XTR": "900"}, discord_sku=str(SERVER_SKU),
                                 scope=True, title="Server, 30 days"),
})


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[ConsoleWorld]:
    async with console_world(tmp_path, revenue=PLANS) as built:
        yield built


def premium_skus(answer: Recorded) -> list[str]:
    return [str(c.get("sku_id")) for row in answer.body.get("components") or []
            for c in row.get("components") or [] if c.get("style") == 6]


async def cover(fake: FakeDiscord, world: ConsoleWorld, seconds: int, user_id: int) -> Recorded:
    payload = await fake.slash("cover", [opt("song", world.songs.open_song), opt("style", "lofi"),
                                         opt("length", str(seconds))], user_id=user_id)
    return await last_answer(fake, payload)


async def until(check: Any, timeout: float = 10.0) -> None:
    import asyncio

    for _ in range(int(timeout / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition never held")


async def test_the_entitlement_grants_the_longer_clip_and_its_deletion_ends_it(
    fake: FakeDiscord, shop: ConsoleWorld, bot_runner: BotRunner
) -> None:
    async with bot_runner(shop.app):
        await accept_terms(fake, 77, "fay")
        refused = await cover(fake, shop, 35, 77)
        assert "30 s" in refused.content, refused.content
        assert premium_skus(refused) == [str(FAN_SKU), str(PRO_SKU)]

        now = shop.clock.now()
        ent = fake.entitlement(FAN_SKU, user_id=77, starts_at=(now - timedelta(minutes=1)).isoformat(),
                               ends_at=(now + timedelta(days=30)).isoformat())
        await fake.send_entitlement("ENTITLEMENT_CREATE", ent)
        await fake.send_entitlement("ENTITLEMENT_CREATE", ent)  # the same event twice

        async def granted() -> bool:
            user = await shop.app.stores.users.find("discord", "77")
            return user is not None and bool(
                await shop.app.stores.grants.active_grants([f"user:{user.id}"], now))

        await until(granted)
        longer = await cover(fake, shop, 35, 77)
        assert "Queued" in longer.content, longer.content
        user = await shop.app.stores.users.find("discord", "77")
        assert user is not None
        assert len(await shop.app.database.revenue.grants_of(f"user:{user.id}")) == 1

        await fake.send_entitlement("ENTITLEMENT_DELETE", ent)

        async def ended() -> bool:
            return not await shop.app.stores.grants.active_grants([f"user:{user.id}"],
                                                                  shop.clock.now())

        await until(ended)
        quota = await last_answer(fake, await fake.slash("quota", [], user_id=77))
        assert "free tier" in quota.content


async def test_a_delete_before_its_create_grants_nothing(
    fake: FakeDiscord, shop: ConsoleWorld, bot_runner: BotRunner
) -> None:
    async with bot_runner(shop.app):
        await accept_terms(fake, 78, "gus")
        now = shop.clock.now()
        ent = fake.entitlement(PRO_SKU, user_id=78, starts_at=(now - timedelta(minutes=1)).isoformat())
        await fake.send_entitlement("ENTITLEMENT_DELETE", ent)
        user = await shop.app.stores.users.find("discord", "78")
        assert user is not None

        async def stored() -> bool:
            return bool(await shop.app.database.revenue.grants_of(f"user:{user.id}"))

        await until(stored)
        fake.entitlements[ent["id"]] = dict(ent, deleted=False)  # the late create, and an
        await fake.dispatch("ENTITLEMENT_CREATE", ent)  # interaction that still carries it
        quota = await last_answer(fake, await fake.slash("quota", [], user_id=78))
        assert "free tier" in quota.content, quota.content
        [grant] = await shop.app.database.revenue.grants_of(f"user:{user.id}")
        assert grant.ended_at is not None


async def test_entitlements_in_the_interaction_count_at_once_and_premium_lists_plans(
    fake: FakeDiscord, shop: ConsoleWorld, bot_runner: BotRunner
) -> None:
    async with bot_runner(shop.app):
        plans = await last_answer(fake, await fake.slash("premium", [], user_id=79))
        assert "fan-month" in plans.content and premium_skus(plans) == [str(FAN_SKU), str(PRO_SKU)]
        assert not any(c.startswith("rf:c:upgrade") for c in plans.custom_ids())
        now = shop.clock.now()
        # bought while the bot was away: no event, only the interaction's entitlements say it
        ent = fake.entitlement(PRO_SKU, user_id=79, starts_at=(now - timedelta(hours=1)).isoformat(),
                               ends_at=(now + timedelta(days=29)).isoformat())
        fake.entitlements[ent["id"]] = ent
        quota = await last_answer(fake, await fake.slash("quota", [], user_id=79))
        assert "pro tier" in quota.content, quota.content
        top = await last_answer(fake, await fake.slash("premium", [], user_id=79))
        assert "no higher plan" in top.content and premium_skus(top) == []


async def test_refusals_a_tier_cannot_change_get_no_premium_button(
    fake: FakeDiscord, shop: ConsoleWorld, bot_runner: BotRunner
) -> None:
    async with bot_runner(shop.app):
        await accept_terms(fake, 80, "hal")
        payload = await fake.slash("remix", [opt("song", shop.songs.cover_only_song),
                                             opt("style", "lofi")], user_id=80)
        refused = await last_answer(fake, payload)
        assert "✋" in refused.content and premium_skus(refused) == []


async def test_a_server_subscription_raises_the_servers_shared_pool(
    fake: FakeDiscord, shop: ConsoleWorld, bot_runner: BotRunner
) -> None:
    scope = f"discord:{GUILD_ID}"
    policy = await shop.app.stores.policies.get(scope)
    await shop.app.stores.policies.save(dataclasses.replace(policy, pool_seconds_per_day=100))
    async with bot_runner(shop.app):
        before = await last_answer(fake, await fake.slash("quota", [], user_id=81))
        assert "Server pool: 0 of 100 s" in before.content, before.content
        now = shop.clock.now()
        ent = fake.entitlement(SERVER_SKU, guild_id=GUILD_ID,
                               starts_at=(now - timedelta(minutes=1)).isoformat())
        await fake.send_entitlement("ENTITLEMENT_CREATE", ent)

        async def raised() -> bool:
            return bool(await shop.app.stores.grants.active_grants([f"scope:{scope}"], now))

        await until(raised)
        after = await last_answer(fake, await fake.slash("quota", [], user_id=81))
        assert "Server pool: 0 of 700 s" in after.content, after.content  # + the fan tier's 600


async def test_each_paid_period_is_revenue_once_and_a_deletion_refunds_it(
    fake: FakeDiscord, shop: ConsoleWorld, bot_runner: BotRunner
) -> None:
    revenue = shop.app.database.revenue
    async with bot_runner(shop.app):
        await accept_terms(fake, 82, "ivy")
        now = shop.clock.now()
        first_end = (now + timedelta(days=30)).replace(microsecond=0)
        ent = fake.entitlement(FAN_SKU, user_id=82, starts_at=(now - timedelta(minutes=1)).isoformat(),
                               ends_at=first_end.isoformat())
        await fake.send_entitlement("ENTITLEMENT_CREATE", ent)
        await fake.send_entitlement("ENTITLEMENT_CREATE", ent)  # resent: still one payment
        first_id = f"{ent['id']}@{first_end:%Y-%m-%dT%H:%M:%SZ}"

        async def paid(external_id: str) -> bool:
            return await revenue.find_entry("discord", external_id) is not None

        await until(lambda: paid(first_id))
        await last_answer(fake, await fake.slash("quota", [], user_id=82))  # the interaction carries it
        first = await revenue.find_entry("discord", first_id)
        assert first is not None and first.kind.value == "PAYMENT"
        assert (first.currency, first.gross, first.fee) == ("EUR", 2_990_000, 448_500)  # 15 % to Discord

        renewed_end = first_end + timedelta(days=30)
        renewed = dict(ent, ends_at=renewed_end.isoformat())
        await fake.send_entitlement("ENTITLEMENT_UPDATE", renewed)
        renewal_id = f"{ent['id']}@{renewed_end:%Y-%m-%dT%H:%M:%SZ}"
        await until(lambda: paid(renewal_id))
        renewal = await revenue.find_entry("discord", renewal_id)
        assert renewal is not None and renewal.kind.value == "RENEWAL"
        assert renewal.service_start == first_end  # the second period starts where the first ends

        await fake.send_entitlement("ENTITLEMENT_DELETE", renewed)

        async def refunded() -> bool:
            return await revenue.reversal_of(renewal.id) is not None

        await until(refunded)
        assert await revenue.reversal_of(first.id) is None  # the period already served stays paid
        user = await shop.app.stores.users.find("discord", "82")
        assert user is not None
        assert [g.plan_id for g in await revenue.grants_of(f"user:{user.id}")] == ["fan-month"]
