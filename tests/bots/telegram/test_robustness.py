"""Platform errors: 429 flood control, Forbidden, network errors, webhook secrets, /trace input."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bots.telegram.outbox import ChatRate, Outbox
from bots.telegram.webhook import SECRET_HEADER, webhook_routes
from config.telegram import TelegramSettings
from core.model import RequestState
from tests.bots.telegram.conftest import run_bot
from tests.bots.telegram.helpers import Person, accepted
from tests.fakes.fake_telegram import FakeTelegram, private_chat, user
from tests.support.world import ConsoleWorld


async def test_flood_control_429_waits_and_retries(world: ConsoleWorld, fake: FakeTelegram) -> None:
    alice = Person(fake, 301, "Alice")
    async with run_bot(world.app, fake):
        fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await alice.send("/quota")
        first = await fake.wait_for("sendMessage")
        again = await fake.wait_for("sendMessage", lambda c: c is not first)
        assert loop.time() - started >= 0.9  # it waited as told
        await fake.settle()
    assert fake.of("sendMessage", 301) == [first, again]
    assert first.text == again.text and "render-seconds" in again.text


async def test_network_errors_are_retried_with_backoff(world: ConsoleWorld, fake: FakeTelegram) -> None:
    alice = Person(fake, 302, "Alice")
    async with run_bot(world.app, fake):
        fake.fail_next("sendMessage", 502, "Bad Gateway")
        await alice.send("/quota")
        first = await fake.wait_for("sendMessage")
        again = await fake.wait_for("sendMessage", lambda c: c is not first)
        await fake.settle()
    assert fake.of("sendMessage", 302) == [first, again]
    assert "render-seconds" in again.text


async def test_forbidden_keeps_the_request_and_stops_sending(world: ConsoleWorld, fake: FakeTelegram) -> None:
    bob = Person(fake, 303, "Bob")
    async with run_bot(world.app, fake) as bot:
        await accepted(bob)
        fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
        await bob.send(f'/cover "{world.songs.open_song}" style:lofi length:10')
        await fake.wait_for("sendMessage", lambda c: "Queued" in c.text)
        await bob.send("/quota")
        await fake.settle()
        assert bot.parts.outbox.blocked(303)
    sends = [c for c in fake.of("sendMessage", 303) if "accepted" not in c.text]
    assert len(sends) == 1  # the refused one; no retry storm, later sends skipped
    found = await world.app.stores.users.find("telegram", "303")
    assert found is not None
    [request] = await world.app.stores.requests.list_for_user(found.id)
    assert request.state is RequestState.QUEUED  # nothing lost


async def test_outbox_keeps_groups_under_their_per_minute_budget() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    outbox = Outbox(TelegramSettings(group_messages_per_minute=3), clock=lambda: now[0], sleep=sleep)

    async def send() -> str:
        return "ok"

    for _ in range(4):
        assert await outbox.call(-42, "sendMessage", send) == "ok"
    assert slept == [60.0]  # the 4th message waited for the window
    assert outbox.has_room(-42)
    for _ in range(2):
        await outbox.call(-42, "sendMessage", send)
    assert not outbox.has_room(-42) and slept == [60.0]
    assert outbox.has_room(42)  # another chat has its own budget
    rate = ChatRate(2, 10.0)
    rate.sent.extend([0.0, 1.0])
    assert rate.wait_s(5.0) == 5.0 and rate.wait_s(9.5) == 0.5


async def test_webhook_checks_the_secret_and_ignores_repeats(
    world: ConsoleWorld, fake: FakeTelegram
) -> None:
    web_app = web.Application()
    web_app.add_routes(webhook_routes(world.app, world.app.settings.telegram))
    async with TestClient(TestServer(web_app)) as client:
        update = fake.message(private_chat(304, "Carol"), user(304, "Carol"), "/quota")
        update["update_id"] = 777
        early = await client.post("/telegram/webhook", json=update,
                                  headers={SECRET_HEADER: "s3cret-token"})
        assert early.status == 503  # the bot isn't running yet: Telegram will retry
        async with run_bot(world.app, fake, webhook_url="https://refrain.example/telegram/webhook",
                           webhook_secret="s3cret-token"):
            [hook] = fake.of("setWebhook")
            assert hook.fields["secret_token"] == "s3cret-token"
            assert hook.fields["url"] == "https://refrain.example/telegram/webhook"
            for headers in ({}, {SECRET_HEADER: "wrong"}):
                refused = await client.post("/telegram/webhook", json=update, headers=headers)
                assert refused.status == 403
            bad = await client.post("/telegram/webhook", data=b"{not json",
                                    headers={SECRET_HEADER: "s3cret-token"})
            assert bad.status == 400
            odd = await client.post("/telegram/webhook", data=json.dumps({"hello": 1}),
                                    headers={SECRET_HEADER: "s3cret-token"})
            assert odd.status == 400
            await fake.settle()
            assert not fake.of("sendMessage", 304)
            for _ in range(2):  # Telegram re-delivers: one answer
                ok = await client.post("/telegram/webhook", json=update,
                                       headers={SECRET_HEADER: "s3cret-token"})
                assert ok.status == 200
            await fake.wait_for("sendMessage", lambda c: c.chat_id == 304)
            await fake.settle()
            assert len(fake.of("sendMessage", 304)) == 1
            assert not fake.of("getUpdates")


async def test_trace_refuses_what_is_not_audio(world: ConsoleWorld, fake: FakeTelegram) -> None:
    dave = Person(fake, 305, "Dave")
    async with run_bot(world.app, fake):
        how = await dave.say("/trace")
        assert "send the audio file with /trace" in how.text
        photo = [{"file_id": "P1", "file_unique_id": "p1", "width": 90, "height": 90}]
        reply = await dave.say(None, photo=photo, caption="/trace")
        assert "That's a photo, not an audio file" in reply.text
        pdf = fake.add_file(b"%PDF-1.4 this is a document, not audio" * 20, name="notes.pdf")
        document = {"file_id": pdf, "file_unique_id": "u" + pdf, "file_name": "notes.pdf",
                    "mime_type": "application/pdf", "file_size": 780}
        reply = await dave.say(None, document=document, caption="/trace")
        assert "could not read" in reply.text.lower() or "not a clip" in reply.text.lower()
        assert fake.of("getFile")
        huge = {"file_id": "BIG", "file_unique_id": "big", "file_name": "leak.mp3",
                "mime_type": "audio/mpeg", "file_size": 300_000_000}
        reply = await dave.say(None, document=huge, caption="/trace")
        assert "300 MB" in reply.text and "20 MB" in reply.text
        assert [c.fields["file_id"] for c in fake.of("getFile")] == [pdf]  # never fetched
