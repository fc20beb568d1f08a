"""Commands through the real python-telegram-bot: menus, the shared grammar, keyboards, bad input."""

from __future__ import annotations

from datetime import timedelta

from bots.telegram.buttons import PREFIX
from tests.bots.telegram.conftest import run_bot
from tests.bots.telegram.helpers import Person, accepted
from tests.fakes.fake_telegram import FakeTelegram
from tests.support.world import ConsoleWorld


async def test_command_menus_are_registered_per_scope(world: ConsoleWorld, fake: FakeTelegram) -> None:
    async with run_bot(world.app, fake):
        calls = fake.of("setMyCommands")
    by_scope = {c.json("scope")["type"]: [x["command"] for x in c.json("commands")] for c in calls}
    assert set(by_scope) == {"all_private_chats", "all_group_chats", "all_chat_administrators"}
    assert "start" in by_scope["all_private_chats"] and "start" not in by_scope["all_group_chats"]
    for verb in ("cover", "styles", "voices", "quota", "status", "cancel", "trace", "help"):
        assert verb in by_scope["all_group_chats"]
    assert {"settings", "plaintext", "audit"} <= set(by_scope["all_chat_administrators"])
    assert "settings" not in by_scope["all_group_chats"]


async def test_cover_is_queued_with_a_cancel_button(world: ConsoleWorld, fake: FakeTelegram) -> None:
    alice = Person(fake, 101, "Alice")
    async with run_bot(world.app, fake):
        await accepted(alice)
        reply = await alice.say(f'/cover "{world.songs.open_song}" style:lofi length:10')
        assert "Queued" in reply.text and world.songs.open_song in reply.text, reply.text
        assert reply.fields["parse_mode"] == "HTML"
        [data] = reply.button_data()
        assert data.startswith(PREFIX) and len(data.encode()) <= 64
        # the cancel button runs `cancel <id>` through the grammar
        mark = await alice.press(reply, data)
        answer = await fake.wait_for("answerCallbackQuery", after=mark)
        assert "show_alert" not in answer.fields
        cancelled = await fake.wait_for("sendMessage", lambda c: "Cancelled" in c.text, after=mark)
        assert "went back to your quota" in cancelled.text
    requests = await world.app.stores.requests.list_for_user(
        (await world.app.stores.users.find("telegram", "101")).id  # type: ignore[union-attr]
    )
    assert [r.state.value for r in requests] == ["CANCELLED"]


async def test_buttons_keep_working_after_a_restart_until_they_expire(
    world: ConsoleWorld, fake: FakeTelegram
) -> None:
    alice = Person(fake, 105, "Alice")
    async with run_bot(world.app, fake):
        await accepted(alice)
        question = await alice.say(f'/cover "{world.songs.open_song}"')
        first, second = (b["callback_data"] for b in question.buttons()[:2])
    async with run_bot(world.app, fake):  # a new process: nothing in memory
        mark = await alice.press(question, first)
        queued = await fake.wait_for("sendMessage", lambda c: "Queued" in c.text, after=mark)
        assert world.songs.open_song in queued.text
        world.clock.advance(timedelta(hours=49))  # past button_ttl_s (48 h)
        mark = await alice.press(question, second)
        answer = await fake.wait_for("answerCallbackQuery", after=mark)
        assert answer.fields.get("show_alert") == "true" and "expired" in answer.fields["text"]
        # pressed in another chat, a button does nothing either
        elsewhere = alice.in_group(-100777)
        mark = await elsewhere.press(question, first)
        answer = await fake.wait_for("answerCallbackQuery", after=mark)
        assert "expired" in answer.fields["text"]
    user = await world.app.stores.users.find("telegram", "105")
    assert user is not None
    assert len(await world.app.stores.requests.list_for_user(user.id)) == 1


async def test_missing_style_offers_a_keyboard_and_the_choice_queues(
    world: ConsoleWorld, fake: FakeTelegram
) -> None:
    bob = Person(fake, 102, "Bob")
    async with run_bot(world.app, fake):
        await accepted(bob)
        question = await bob.say(f'/cover "{world.songs.open_song}"')
        assert "Which style" in question.text
        buttons = question.buttons()
        assert len(buttons) >= 2
        assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
        choice = buttons[1]
        mark = await bob.press(question, choice["callback_data"])
        queued = await fake.wait_for("sendMessage", lambda c: "Queued" in c.text, after=mark)
        assert choice["text"] in queued.text
        # a double tap is the same request, not a second one
        mark = await bob.press(question, choice["callback_data"])
        again = await fake.wait_for("sendMessage", lambda c: c.chat_id == 102, after=mark)
        assert "Already on it" in again.text
    user = await world.app.stores.users.find("telegram", "102")
    assert user is not None
    assert len(await world.app.stores.requests.list_for_user(user.id)) == 1


async def test_old_or_forged_buttons_get_a_clear_answer(world: ConsoleWorld, fake: FakeTelegram) -> None:
    carol = Person(fake, 103, "Carol")
    fake_message = type("M", (), {"text": "old message"})()
    async with run_bot(world.app, fake):
        for data in (f"{PREFIX}doesnotexist", "cover Golden Hour", "x" * 64, ""):
            mark = await carol.press(fake_message, data)
            answer = await fake.wait_for("answerCallbackQuery", after=mark)
            assert answer.fields.get("show_alert") == "true"
            assert "expired" in answer.fields["text"]
        await fake.settle()
    assert not fake.of("sendMessage", 103)


async def test_bad_input_gets_words_not_a_crash(world: ConsoleWorld, fake: FakeTelegram) -> None:
    dave = Person(fake, 104, "Dave")
    async with run_bot(world.app, fake):
        sticker = {"file_id": "S1", "file_unique_id": "s1", "type": "regular", "width": 512,
                   "height": 512, "is_animated": False, "is_video": False}
        reply = await dave.say(None, sticker=sticker)
        assert "I only read text" in reply.text
        photo = [{"file_id": "P1", "file_unique_id": "p1", "width": 90, "height": 90}]
        reply = await dave.say(None, photo=photo)
        assert "I only read text" in reply.text
        voice = {"file_id": "V1", "file_unique_id": "v1", "duration": 3}
        reply = await dave.say(None, voice=voice)
        assert "/trace" in reply.text
        reply = await dave.say("/cover " + "la " * 1500)
        assert "too long" in reply.text
        reply = await dave.say("/cover")
        assert reply.text  # the grammar says what is missing
        reply = await dave.say("hello there")
        assert "don't know the command" in reply.text
        reply = await dave.say("/help")
        assert "cover" in reply.text
        reply = await dave.say("/start")
        assert "cover" in reply.text


async def test_commands_for_another_bot_are_ignored_in_groups(
    world: ConsoleWorld, fake: FakeTelegram
) -> None:
    erin = Person(fake, 105, "Erin").in_group(-1001)
    async with run_bot(world.app, fake):
        await erin.send("/help@SomeOtherBot")
        await erin.send("just chatting about covers")
        reply = await erin.say("/help@RefrainTestBot")
        assert "cover" in reply.text
        await fake.settle()
    texts = [c.text for c in fake.of("sendMessage", -1001)]
    assert len([t for t in texts if "Refrain makes" in t]) == 1
    assert any("Privacy mode is on" in t for t in texts)
