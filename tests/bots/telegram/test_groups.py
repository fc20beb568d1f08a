"""Group chats: admins (getChatMember) configure the group, others are told why they can't."""

from __future__ import annotations

from tests.bots.telegram.conftest import run_bot
from tests.bots.telegram.helpers import Person, accepted
from tests.fakes.fake_telegram import FakeTelegram, group_chat
from tests.support.world import ConsoleWorld

GROUP = -100200


async def test_settings_need_admin_rights(world: ConsoleWorld, fake: FakeTelegram) -> None:
    fake.admins[GROUP].add(201)
    admin = Person(fake, 201, "Ada").in_group(GROUP)
    member = Person(fake, 202, "Max").in_group(GROUP)
    async with run_bot(world.app, fake):
        refused = await member.say("/settings styles lofi")
        assert "Only moderators" in refused.text
        assert fake.of("getChatMember")[-1].fields["user_id"] == "202"
        done = await admin.say("/settings styles lofi, acoustic")
        assert done.text.startswith("Done") and "lofi" in done.text
        done = await admin.say("/settings cooldown 30")
        assert done.text.startswith("Done")
        done = await admin.say("/settings max-length 15")
        assert done.text.startswith("Done")
        shown = await member.say("/settings")
        assert "30" in shown.text
        await accepted(member)
        refused = await member.say(f'/cover "{world.songs.open_song}" style:synthwave')
        assert refused.text.startswith("✋") and "Queued" not in refused.text, refused.text
        audit_refused = await member.say("/audit")
        assert "Only moderators" in audit_refused.text
        audit = await admin.say("/audit")
        assert "Ada" in audit.text and "cooldown" in audit.text
    policy = await world.app.stores.policies.get(f"telegram:{GROUP}")
    assert policy.allowed_styles == frozenset({"lofi", "acoustic"})
    assert policy.cooldown_s == 30 and policy.max_clip_seconds == 15


async def test_plain_text_switch_is_for_admins_and_audited(world: ConsoleWorld, fake: FakeTelegram) -> None:
    fake.admins[GROUP].add(201)
    admin = Person(fake, 201, "Ada").in_group(GROUP)
    member = Person(fake, 202, "Max").in_group(GROUP)
    async with run_bot(world.app, fake):
        state = await member.say("/plaintext")
        assert "<b>off</b>" in state.text
        refused = await member.say("/plaintext on")
        assert "Only this group's admins" in refused.text
        # plain text is ignored while the switch is off
        mark, _ = await member.send("quota")
        await fake.settle()
        assert all(c.chat_id != GROUP for c in fake.calls[mark:] if c.method == "sendMessage")
        done = await admin.say("/plaintext on")
        assert "plain-text commands on" in done.text and "privacy mode is on" in done.text
        quota = await member.say("quota")
        assert "render-seconds" in quota.text
        # chatter is still not answered
        mark, _ = await member.send("what a lovely day")
        await fake.settle()
        assert all(c.chat_id != GROUP for c in fake.calls[mark:] if c.method == "sendMessage")
        audit = await admin.say("/audit")
        assert "plain-text commands on" in audit.text


async def test_mentions_and_anonymous_admins(world: ConsoleWorld, fake: FakeTelegram) -> None:
    member = Person(fake, 203, "Zoe").in_group(GROUP)
    async with run_bot(world.app, fake):
        reply = await member.say("@RefrainTestBot quota")
        assert "render-seconds" in reply.text
        # an anonymous admin writes as the group itself
        anonymous = Person(fake, 1087968824, "Group").in_group(GROUP)
        mark, _ = await anonymous.send("/settings cooldown 10", sender_chat=group_chat(GROUP))
        done = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP, after=mark)
        assert done.text.startswith("Done")


async def test_greeting_when_added_explains_privacy_mode(world: ConsoleWorld, fake: FakeTelegram) -> None:
    async with run_bot(world.app, fake):
        mark = len(fake.calls)
        bot_user = {"id": 7000001, "is_bot": True, "first_name": "Refrain"}
        await fake.push({
            "my_chat_member": {
                "chat": group_chat(GROUP),
                "from": {"id": 201, "is_bot": False, "first_name": "Ada"},
                "date": 0,
                "old_chat_member": {"status": "left", "user": bot_user},
                "new_chat_member": {"status": "member", "user": bot_user},
            }
        })
        hello = await fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP, after=mark)
    assert "Privacy mode is on" in hello.text and "/plaintext" in hello.text
