"""``/refrain settings …`` and ``/refrain audit``: with and without the right to use them."""

from __future__ import annotations

from typing import Any

from config.discord import DiscordSettings
from tests.bots.discord.conftest import BotRunner
from tests.bots.discord.helpers import accept_terms, last_answer, opt
from tests.fakes.fake_discord import MANAGE_GUILD, OTHER_CHANNEL_ID, FakeDiscord
from tests.support.world import ConsoleWorld

MOD: dict[str, Any] = {"user_id": 99, "user_name": "mia", "permissions": MANAGE_GUILD}


def setting(name: str, *options: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": "settings", "type": 2,
             "options": [{"name": name, "type": 1, "options": list(options)}]}]


def user_option(fake: FakeDiscord, user_id: int, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    member = fake.member(user_id, name)
    user = member.pop("user")
    return opt("user", str(user_id), 6), {"users": {str(user_id): user},
                                          "members": {str(user_id): member}}


async def test_moderator_changes_styles_and_the_audit_log_says_who(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    async with bot_runner(world.app):
        payload = await fake.slash("refrain", setting("styles", opt("value", "lofi, acoustic")),
                                   **MOD)
        answer = await last_answer(fake, payload)
        assert answer.content == "Done: styles set to acoustic, lofi."
        deferral = fake.find("POST", rf"/interactions/{payload['id']}/")[0]
        assert deferral.json["data"]["flags"] == 64  # settings answers are private
        shown = await last_answer(fake, await fake.slash("refrain", setting("show"), **MOD))
        assert "styles: acoustic, lofi" in shown.content
        audit = await last_answer(fake, await fake.slash(
            "refrain", [{"name": "audit", "type": 1, "options": [opt("limit", 5, 4)]}], **MOD))
        assert "mia: styles set to acoustic, lofi" in audit.content


async def test_members_without_manage_server_are_refused(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    async with bot_runner(world.app):
        payload = await fake.slash("refrain", setting("cooldown", opt("seconds", "60")),
                                   user_id=5, user_name="eve")
        answer = await last_answer(fake, payload)
        assert answer.content.startswith("✋ Only moderators can change")
        audit = await last_answer(fake, await fake.slash("refrain", [
            {"name": "audit", "type": 1, "options": []}], user_id=5, user_name="eve"))
        assert "Only moderators" in audit.content
    policy = await world.app.stores.policies.get("discord:910000000000000001")
    assert policy.cooldown_s == 0


async def test_a_configured_moderator_role_may_change_settings(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    async with bot_runner(world.app, DiscordSettings(moderator_roles=["777"])):
        payload = await fake.slash("refrain", setting("cooldown", opt("seconds", "30")),
                                   user_id=6, user_name="rory", roles=(777,))
        assert (await last_answer(fake, payload)).content == "Done: cooldown 30 s between requests."
        bad = await fake.slash("refrain", setting("cooldown", opt("seconds", "soon")),
                               user_id=6, user_name="rory", roles=(777,))
        assert "takes seconds" in (await last_answer(fake, bad)).content


async def test_ban_and_channels_apply_to_the_next_cover(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    async with bot_runner(world.app):
        await accept_terms(fake, 13, "troll")
        await accept_terms(fake, 14, "fan")
        option, resolved = user_option(fake, 13, "troll")
        ban = await fake.slash("refrain", setting("ban", option), resolved=resolved, **MOD)
        assert "banned" in (await last_answer(fake, ban)).content
        cover = [opt("song", "Golden Hour"), opt("style", "lofi"), opt("length", "5")]
        refused = await last_answer(fake, await fake.slash("cover", cover, user_id=13,
                                                           user_name="troll"))
        assert refused.content.startswith("✋") and "stopped your requests" in refused.content
        only = await fake.slash("refrain", setting("channels", opt("value", f"<#{OTHER_CHANNEL_ID}>")),
                                **MOD)
        assert f"#{OTHER_CHANNEL_ID}" in (await last_answer(fake, only)).content
        elsewhere = await last_answer(fake, await fake.slash("cover", cover, user_id=14,
                                                             user_name="fan"))
        assert elsewhere.content.startswith("✋") and "only in" in elsewhere.content
        there = await last_answer(fake, await fake.slash("cover", cover, user_id=14, user_name="fan",
                                                         channel_id=OTHER_CHANNEL_ID))
        assert there.content.startswith("⏳ Queued")
        unban = await fake.slash("refrain", setting("unban", option), resolved=resolved, **MOD)
        assert "unbanned" in (await last_answer(fake, unban)).content


async def test_settings_the_core_does_not_know_yet_get_a_clear_answer(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    async with bot_runner(world.app):
        for name, option in (("nsfw-filter", opt("state", "on")),
                             ("user-limit", opt("seconds", "300"))):
            payload = await fake.slash("refrain", setting(name, option), **MOD)
            answer = await last_answer(fake, payload)
            assert answer.content.startswith(("Done:", "⚠️")), answer.content
            assert name in answer.content or "Done" in answer.content
