"""Gateway-level behaviour: sharding, the '@Refrain …' text form, progress edits, failures."""

from __future__ import annotations

import asyncio
from itertools import pairwise

from config.discord import DiscordSettings
from core.ports import JobEvent, JobEventKind
from jobs.events import LocalEventBus
from tests.bots.discord.conftest import BotRunner
from tests.bots.discord.helpers import accept_terms, answer_to, last_answer, opt
from tests.fakes.fake_discord import BOT_ID, CHANNEL_ID, GUILD_ID, FakeDiscord
from tests.support.world import ConsoleWorld


async def test_sharded_bot_identifies_each_shard(fake: FakeDiscord, world: ConsoleWorld,
                                                 bot_runner: BotRunner) -> None:
    async with bot_runner(world.app, DiscordSettings(shard_count=2)) as bot:
        assert type(bot).__name__ == "ShardedRefrainBot"
        await fake.wait_for(lambda f: len(f.identifies) == 2)
        assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
        payload = await fake.slash("help")
        assert "cover" in (await last_answer(fake, payload)).content


async def test_mention_text_form_runs_the_same_commands(fake: FakeDiscord, world: ConsoleWorld,
                                                        bot_runner: BotRunner) -> None:
    settings = DiscordSettings(message_content=True)
    async with bot_runner(world.app, settings):
        assert fake.identifies[0]["intents"] & (1 << 15)  # MESSAGE_CONTENT requested
        await accept_terms(fake)
        message = fake.message_payload(fake.next_id(), CHANNEL_ID, {
            "content": f"<@{BOT_ID}> cover Golden Hour in the style of synthwave length:5"})
        message["author"] = fake.member(42, "alice")["user"]
        message["guild_id"] = str(GUILD_ID)
        message["member"] = {k: v for k, v in fake.member(42, "alice").items() if k != "user"}
        await fake.dispatch("MESSAGE_CREATE", message)
        (reply,) = await fake.wait_request("POST", rf"/channels/{CHANNEL_ID}/messages")
        assert reply.content.startswith("⏳ Queued") and "Synthwave" in reply.content
        assert str(reply.json["message_reference"]["message_id"]) == message["id"]
        await fake.dispatch("MESSAGE_CREATE", message)  # the same message again: ignored
        await asyncio.sleep(0.3)
        assert len(fake.find("POST", rf"/channels/{CHANNEL_ID}/messages")) == 1


async def test_without_the_intent_plain_messages_are_ignored(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    async with bot_runner(world.app):
        assert not fake.identifies[0]["intents"] & (1 << 15)
        message = fake.message_payload(fake.next_id(), CHANNEL_ID,
                                       {"content": f"<@{BOT_ID}> help"})
        message["author"] = fake.member(42, "alice")["user"]
        await fake.dispatch("MESSAGE_CREATE", message)
        await asyncio.sleep(0.3)
        assert not fake.find("POST", r"/channels/")


async def test_progress_edits_are_throttled_and_failures_are_told(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    bus = LocalEventBus()
    async with bot_runner(world.app, DiscordSettings(progress_interval_s=0.5), events=bus):
        await accept_terms(fake)
        payload = await fake.slash("cover", [opt("song", "Golden Hour"), opt("style", "lofi")])
        await last_answer(fake, payload)
        request = await world.app.stores.requests.get_by_idempotency_key(f"discord:{payload['id']}")
        assert request is not None
        for percent in range(0, 100, 5):  # 20 events in ~1 s
            await bus.publish(JobEvent(request.id, JobEventKind.PROGRESS, stage="mixing",
                                       percent=percent))
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.6)
        await bus.publish(JobEvent(request.id, JobEventKind.FAILED,
                                   message="The renderer ran out of memory; your seconds are back."))
        edits = await fake.wait_for(lambda f: (e := f.find("PATCH", rf"/{payload['token']}/"))
                                    and "couldn't be made" in e[-1].content and e)
    progress = edits[1:-1]
    assert 1 <= len(progress) <= 4, [e.content for e in edits]
    assert all(b.at - a.at >= 0.45 for a, b in pairwise(progress))
    assert "mixing 95%" in progress[-1].content
    assert "ran out of memory" in edits[-1].content
    assert len(await answer_to(fake, payload)) == len(edits)


async def test_serve_component_runs_the_bot_while_open(fake: FakeDiscord,
                                                       world: ConsoleWorld) -> None:
    from pydantic import SecretStr

    from bots.discord import discord_component

    token = SecretStr("fake-token")
    async with discord_component(world.app, token.get_secret_value(), world.app.settings.discord):
        assert fake.identifies and fake.identifies[0]["token"] == "fake-token"
        payload = await fake.slash("help")
        assert "cover" in (await last_answer(fake, payload)).content
    await fake.wait_for(lambda f: not any(not ws.closed for ws in f._sockets.values()))
