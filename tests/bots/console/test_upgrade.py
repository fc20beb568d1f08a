"""A fan upgrades through the console's DEMO payment provider, and a refund takes it back."""

from __future__ import annotations

from datetime import timedelta

from bots.console import DEMO_PLATFORM
from core.chat.messages import ReplyKind
from tests.bots.console.test_refusals import fan, say
from tests.support.world import ConsoleWorld


async def test_a_free_fan_out_of_quota_upgrades_and_gets_a_longer_clip(world: ConsoleWorld) -> None:
    song = world.songs.open_song
    carol = await fan(world, "carol")
    assert (await say(carol, f'cover "{song}" style:lofi length:30')).kind is ReplyKind.QUEUED
    assert (await say(carol, f'cover "{song}" style:8-bit length:30')).kind is ReplyKind.QUEUED
    refused = await say(carol, f'cover "{song}" style:lofi length:10')
    assert refused.code == "USER_QUOTA_EXHAUSTED" and refused.offers_upgrade
    assert any(b.command == "upgrade" for b in refused.buttons)

    plans = await say(carol, "upgrade")
    assert plans.code == "UPGRADE" and "`fan-month`" in plans.text and "150 ⭐" in plans.text
    assert {b.command for b in plans.buttons} == {"upgrade fan-month", "upgrade pro-month"}
    paid = await say(carol, "upgrade fan-month")
    assert paid.code == "UPGRADED" and paid.text.startswith("DEMO PAYMENT (no real money)")
    quota = await say(carol, "quota")
    assert "You're on the fan tier" in quota.text and "runs until" in quota.text
    longer = await say(carol, f'cover "{song}" style:lofi length:35')
    assert longer.kind is ReplyKind.QUEUED, longer.text

    # the refund ends the tier from that moment; the clips already made stay
    payer = await world.app.requests.user_for(world.app.handler.requester(carol.invocation("quota")))
    entries = await world.app.database.revenue.grants_of(f"user:{payer.id}")
    source = entries[0].source.split(":", 1)[1]
    world.clock.advance(timedelta(minutes=5))
    await world.app.revenue.refund(DEMO_PLATFORM, source, world.clock.now())
    assert "You're on the free tier" in (await say(carol, "quota")).text
    again = await say(carol, f'cover "{song}" style:acoustic length:35')
    assert again.kind is ReplyKind.DENIED


async def test_refusals_a_tier_cannot_change_offer_no_upgrade(world: ConsoleWorld) -> None:
    bob = await fan(world, "bob")
    refused = await say(bob, f'remix "{world.songs.cover_only_song}" style:lofi')
    assert refused.kind is ReplyKind.DENIED and not refused.offers_upgrade
    assert all(b.command != "upgrade" for b in refused.buttons)
    too_long = await say(bob, f'cover "{world.songs.open_song}" style:lofi length:45')
    assert too_long.code == "CLIP_TOO_LONG" and too_long.offers_upgrade


async def test_an_unknown_plan_is_refused_and_nothing_is_granted(world: ConsoleWorld) -> None:
    dave = await fan(world, "dave")
    reply = await say(dave, "upgrade gold")
    assert reply.kind is ReplyKind.ERROR and "there is no plan 'gold'" in reply.text
    assert "You're on the free tier" in (await say(dave, "quota")).text
    bad = await say(dave, "upgrade fan month!")
    assert bad.kind is ReplyKind.ERROR and "is not a plan id" in bad.text
