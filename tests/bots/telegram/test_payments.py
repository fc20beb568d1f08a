"""Telegram Stars through the real python-telegram-bot and the fake Bot API: /upgrade → invoice →
pre-checkout → successful payment → a longer clip; the same payment twice grants once; bad
pre-checkouts are refused in words; a refund (`refrain revenue refund`) ends the tier."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from click.testing import CliRunner

from bots.telegram.chats import scope_id
from bots.telegram.payments import SUBSCRIPTION_PERIOD_S, payload_of
from config import load_settings
from core.revenue import Plan
from refrain.commands.revenue_cli import revenue
from tests.bots.telegram.conftest import run_bot
from tests.bots.telegram.helpers import Person, accepted
from tests.fakes.fake_telegram import Call, FakeTelegram
from tests.support.world import ConsoleWorld

FAN = Plan("fan-month", "fan", 30, {"XTR": 150_000_000})


async def _pay(fake: FakeTelegram, person: Person, charge: str, **extra: object) -> Call:
    mark = len(fake.calls)
    await fake.push(fake.successful_payment(person.chat, person.user, payload_of(FAN), 150, charge,
                                            **extra))  # type: ignore[arg-type]
    return await fake.wait_for("sendMessage", lambda c: c.chat_id == person.chat_id, after=mark)


async def test_a_fan_pays_in_stars_and_gets_the_longer_clip(world: ConsoleWorld, fake: FakeTelegram) -> None:
    song = world.songs.open_song
    ann = Person(fake, 301, "Ann")
    async with run_bot(world.app, fake, stars_subscriptions=False):
        await accepted(ann)
        refused = await ann.say(f'/cover "{song}" style:lofi length:35')
        assert "30 s" in refused.text, refused.text
        upgrade = next(b for b in refused.buttons() if "Upgrade" in b["text"])
        mark = await ann.press(refused, upgrade["callback_data"])
        plans = await fake.wait_for("sendMessage", lambda c: "Plans" in c.text, after=mark)
        assert "150 ⭐" in plans.text
        fan_button = next(b for b in plans.buttons() if "Fan" in b["text"])
        mark = await ann.press(plans, fan_button["callback_data"])
        invoice = await fake.wait_for("sendInvoice", after=mark)
        assert invoice.fields["currency"] == "XTR" and invoice.json("prices")[0]["amount"] == 150
        assert invoice.fields["payload"] == "plan:fan-month"

        mark = len(fake.calls)
        await fake.push(fake.pre_checkout(ann.user, invoice.fields["payload"], 150))
        answer = await fake.wait_for("answerPreCheckoutQuery", after=mark)
        assert answer.fields["ok"] == "true"

        thanks = await _pay(fake, ann, "charge-ann-1")
        assert "Thank you" in thanks.text and "fan tier" in thanks.text
        again = await _pay(fake, ann, "charge-ann-1")  # Telegram resends: granted once
        assert "already recorded" in again.text
        quota = await ann.say("/quota")
        assert "fan tier" in quota.text and "runs until" in quota.text
        longer = await ann.say(f'/cover "{song}" style:lofi length:35')
        assert "Queued" in longer.text, longer.text
    payer = await world.app.stores.users.find("telegram", "301")
    assert payer is not None
    grants = await world.app.database.revenue.grants_of(f"user:{payer.id}")
    assert len(grants) == 1 and grants[0].source == "telegram:charge-ann-1"


async def test_thirty_day_plans_are_sold_as_star_subscriptions(
    world: ConsoleWorld, fake: FakeTelegram
) -> None:
    bob = Person(fake, 302, "Bob")
    async with run_bot(world.app, fake):
        mark, _ = await bob.send("/upgrade fan-month")
        link = await fake.wait_for("createInvoiceLink", after=mark)
        assert int(link.fields["subscription_period"]) == SUBSCRIPTION_PERIOD_S
        offer = await fake.wait_for("sendMessage", lambda c: c.chat_id == bob.chat_id, after=mark)
        assert offer.buttons()[0]["url"].startswith("https://t.me/$")
        await _pay(fake, bob, "sub-1", recurring=True, first_recurring=True)
        renewed = await _pay(fake, bob, "sub-2", recurring=True)
        assert "renewed" in renewed.text
    payer = await world.app.stores.users.find("telegram", "302")
    assert payer is not None
    grants = sorted(await world.app.database.revenue.grants_of(f"user:{payer.id}"),
                    key=lambda g: g.starts_at)
    assert len(grants) == 2 and grants[1].starts_at == grants[0].ends_at  # the renewal extends it


async def test_bad_pre_checkouts_are_refused_with_a_plain_reason(
    world: ConsoleWorld, fake: FakeTelegram
) -> None:
    cid = Person(fake, 303, "Cid")
    async with run_bot(world.app, fake):
        for payload, amount, words in (
            ("plan:gold", 150, "no longer on sale"),
            ("plan:fan-month", 99, "price of this plan changed"),
            ("something-else", 150, "not one of mine"),
        ):
            mark = len(fake.calls)
            await fake.push(fake.pre_checkout(cid.user, payload, amount))
            answer = await fake.wait_for("answerPreCheckoutQuery", after=mark)
            assert answer.fields["ok"] == "false" and words in answer.fields["error_message"]
        mark, _ = await cid.send("/upgrade gold")
        unknown = await fake.wait_for("sendMessage", lambda c: c.chat_id == cid.chat_id, after=mark)
        assert "there is no plan 'gold'" in unknown.text
        assert not fake.of("sendInvoice") and not fake.of("createInvoiceLink")

        # a banned fan cannot buy
        await cid.say("/quota")
        fan = await world.app.stores.users.find("telegram", "303")
        assert fan is not None
        policy = await world.app.stores.policies.get(scope_id(cid.chat_id))
        await world.app.stores.policies.save(
            dataclasses.replace(policy, banned_users=frozenset({fan.id})))
        mark = len(fake.calls)
        await fake.push(fake.pre_checkout(cid.user, "plan:fan-month", 150))
        answer = await fake.wait_for("answerPreCheckoutQuery", after=mark)
        assert answer.fields["ok"] == "false" and "banned" in answer.fields["error_message"]


async def test_the_operator_refunds_stars_and_the_tier_ends(
    world: ConsoleWorld, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    dee = Person(fake, 304, "Dee")
    async with run_bot(world.app, fake):
        await _pay(fake, dee, "charge-dee")
    monkeypatch.setenv("REFRAIN_DATABASE_URL", world.app.settings.database_url)
    monkeypatch.setenv("REFRAIN_TELEGRAM_TOKEN", fake.token)
    monkeypatch.setenv("REFRAIN_TELEGRAM__API_BASE_URL", fake.base_url)
    monkeypatch.delenv("REFRAIN_CONFIG", raising=False)

    def refund(charge: str) -> tuple[int, str]:
        result = CliRunner().invoke(revenue, ["refund", charge], obj=load_settings(),
                                    catch_exceptions=False)
        return result.exit_code, result.output

    code, out = await asyncio.to_thread(refund, "charge-dee")
    assert code == 0 and "refund of telegram payment charge-dee" in out, out
    assert fake.refunded == {"charge-dee"}
    assert fake.of("refundStarPayment")[0].fields["user_id"] == "304"
    code, out = await asyncio.to_thread(refund, "charge-dee")
    assert "already refunded" in out and len(fake.of("refundStarPayment")) == 1
    code, out = await asyncio.to_thread(refund, "charge-nobody")
    assert code == 1 and "no telegram payment 'charge-nobody'" in out
    payer = await world.app.stores.users.find("telegram", "304")
    assert payer is not None
    [grant] = await world.app.database.revenue.grants_of(f"user:{payer.id}")
    assert grant.ended_at is not None
    assert await world.app.stores.grants.active_grants([grant.subject], grant.ended_at) == []


async def test_a_payment_for_a_plan_that_is_gone_is_kept_for_a_refund_and_grants_nothing(
    world: ConsoleWorld, fake: FakeTelegram
) -> None:
    eve = Person(fake, 305, "Eve")
    async with run_bot(world.app, fake):
        mark = len(fake.calls)
        await fake.push(fake.successful_payment(eve.chat, eve.user, "plan:gold", 150, "charge-eve"))
        reply = await fake.wait_for("sendMessage", lambda c: c.chat_id == eve.chat_id, after=mark)
        assert "there is no plan 'gold'" in reply.text and "refund" in reply.text
    payer = await world.app.stores.users.find("telegram", "305")
    assert payer is not None
    assert await world.app.database.revenue.grants_of(f"user:{payer.id}") == []
    assert await world.app.database.revenue.find_entry("telegram", "charge-eve") is None
