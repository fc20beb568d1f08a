"""Slash commands end to end: the real discord.py bot, the fake Discord, the real use cases.

No rendering here (the queue only stores requests): what a person sees when
they ask, autocomplete, every refusal, and protection against floods and
gateway replays. Deliveries are in test_delivery.py.
"""

from __future__ import annotations

import dataclasses
import time

from config.discord import DiscordSettings
from core.model import ScopePolicy
from core.ports import CatalogBatch
from core.stylebook import selectable_styles
from tests.bots.discord.conftest import BotRunner
from tests.bots.discord.helpers import (
    accept_terms,
    answer_to,
    callback,
    callbacks,
    followups,
    last_answer,
    opt,
    song,
)
from tests.fakes.fake_discord import APP_ID, GUILD_ID, FakeDiscord
from tests.support.world import ConsoleWorld


async def test_commands_sync_to_the_dev_guild(fake: FakeDiscord, world: ConsoleWorld,
                                              bot_runner: BotRunner) -> None:
    async with bot_runner(world.app, DiscordSettings(dev_guild_id=GUILD_ID)):
        synced = await fake.wait_request("PUT", rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
        names = {c["name"] for c in synced[0].json}
        assert names == {"cover", "remix", "styles", "voices", "quota", "status", "cancel",
                         "trace", "help", "terms", "refrain", "premium"}
        assert not fake.find("PUT", rf"/applications/{APP_ID}/commands")
        cover = next(c for c in synced[0].json if c["name"] == "cover")
        options = {o["name"]: o for o in cover["options"]}
        assert options["song"]["required"] and options["song"]["autocomplete"]
        assert options["style"]["autocomplete"] and options["voice"]["autocomplete"]
        refrain = next(c for c in synced[0].json if c["name"] == "refrain")
        assert int(refrain["default_member_permissions"]) == 1 << 5  # Manage Server


async def test_song_autocomplete_offers_only_the_licensed_catalog(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    hidden = world.opted_out_title()
    async with bot_runner(world.app):
        payload = await fake.autocomplete("cover", [opt("song", "gold", focused=True)])
        answer = await callback(fake, payload)
        assert answer.json["type"] == 8
        names = [c["name"] for c in answer.json["data"]["choices"]]
        assert song("Golden Hour", "Lumen Avenue") in names
        payload = await fake.autocomplete("cover", [opt("song", hidden[:6], focused=True)])
        names = [c["value"] for c in (await callback(fake, payload)).json["data"]["choices"]]
        assert all(not n.startswith(hidden + " —") for n in names), names


async def test_song_autocomplete_leaves_out_explicit_songs_where_they_are_filtered(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    golden = world.recording_titled("Golden Hour")
    await world.app.stores.catalog.import_batch(
        CatalogBatch(recordings=[dataclasses.replace(golden, explicit=True)]), world.clock.now()
    )
    async with bot_runner(world.app):
        payload = await fake.autocomplete("cover", [opt("song", "gold", focused=True)])
        names = [c["name"] for c in (await callback(fake, payload)).json["data"]["choices"]]
        assert song("Golden Hour", "Lumen Avenue") in names  # no filter here yet
        await world.app.stores.policies.save(ScopePolicy(f"discord:{GUILD_ID}", nsfw_filter=True))
        payload = await fake.autocomplete("cover", [opt("song", "gold", focused=True)])
        names = [c["name"] for c in (await callback(fake, payload)).json["data"]["choices"]]
        assert song("Golden Hour", "Lumen Avenue") not in names


async def test_style_autocomplete_follows_the_songs_license(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    title, allowed, forbidden = world.restricted_style_song()
    artist = world.recording_titled(title).artist
    async with bot_runner(world.app):
        payload = await fake.autocomplete(
            "cover", [opt("song", song(title, artist)), opt("style", "", focused=True)]
        )
        offered = {c["value"] for c in (await callback(fake, payload)).json["data"]["choices"]}
        assert offered and offered <= set(allowed)
        assert forbidden not in offered
        payload = await fake.autocomplete("cover", [opt("style", "", focused=True)])
        every = {c["value"] for c in (await callback(fake, payload)).json["data"]["choices"]}
        assert every == set(selectable_styles())


async def test_voice_autocomplete_offers_consented_voices_only(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    songs = world.songs
    assert songs.voice_song is not None and songs.revoked_voice is not None
    revoked = next(v for v in world.batch.voice_models if v.name == songs.revoked_voice)
    await world.app.stores.catalog.revoke_voice_model(revoked.id, world.clock.now())
    artist = world.recording_titled(songs.voice_song).artist
    async with bot_runner(world.app):
        payload = await fake.autocomplete(
            "cover", [opt("song", song(songs.voice_song, artist)), opt("voice", "", focused=True)]
        )
        offered = {c["value"] for c in (await callback(fake, payload)).json["data"]["choices"]}
        assert songs.active_voice in offered
        assert songs.revoked_voice not in offered


async def test_cover_is_deferred_then_answered_with_its_place_in_line(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    async with bot_runner(world.app):
        await accept_terms(fake)
        started = time.monotonic()
        payload = await fake.slash("cover", [opt("song", song("Golden Hour", "Lumen Avenue")),
                                             opt("style", "lofi"), opt("length", "10")])
        first = await callback(fake, payload)
        assert time.monotonic() - started < 3
        assert first.json == {"type": 5}  # deferred, public ("Refrain is thinking…")
        answer = await last_answer(fake, payload)
        assert answer.content.startswith("⏳ Queued `")
        assert "*Golden Hour* by Lumen Avenue in Lo-fi, 10 s (1st in line)" in answer.content
        assert [i for i in answer.custom_ids() if i.startswith("rf:c:cancel ")]
        request = await world.app.stores.requests.get_by_idempotency_key(f"discord:{payload['id']}")
        assert request is not None and request.seconds == 10


async def test_terms_refusal_has_a_button_that_accepts_them(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    async with bot_runner(world.app):
        payload = await fake.slash("cover", [opt("song", "Golden Hour"), opt("style", "lofi")])
        answer = await last_answer(fake, payload)
        assert answer.content.startswith("✋") and "terms" in answer.content
        assert "rf:c:terms accept" in answer.custom_ids()
        click = await fake.click("rf:c:terms accept", on=answer)
        assert (await callback(fake, click)).json["data"]["flags"] == 64  # ephemeral
        assert "accepted the terms" in (await last_answer(fake, click)).content
        again = await fake.slash("cover", [opt("song", "Golden Hour"), opt("style", "lofi")])
        assert (await last_answer(fake, again)).content.startswith("⏳ Queued")


async def test_refusals_say_what_to_do(fake: FakeDiscord, world: ConsoleWorld,
                                       bot_runner: BotRunner) -> None:
    title, _, forbidden = world.restricted_style_song()
    async with bot_runner(world.app):
        await accept_terms(fake)
        cases = [
            ([opt("song", "Zzyzx Qwerty Song"), opt("style", "lofi")], "couldn't find"),
            ([opt("song", "Golden Hour"), opt("style", "polka-metal")], "I don't know the style"),
            ([opt("song", title), opt("style", forbidden)], title),
            ([opt("song", "Golden Hour"), opt("style", "lofi"), opt("length", "forever")],
             "length"),
        ]
        for options, words in cases:
            payload = await fake.slash("cover", options)
            answer = await last_answer(fake, payload)
            assert answer.content.startswith(("⚠️", "✋")), answer.content
            assert words.lower() in answer.content.lower(), answer.content
        remix = await fake.slash("remix", [opt("song", world.songs.cover_only_song),
                                           opt("style", "lofi")])
        answer = await last_answer(fake, remix)
        assert "remix" in answer.content.lower() and answer.content.startswith("✋")
        no_style = await fake.slash("cover", [opt("song", "Golden Hour")])
        question = await last_answer(fake, no_style)
        assert question.content.startswith("❓")
        assert any(i.startswith("rf:c:cover ") and i.endswith("style:lofi")
                   for i in question.custom_ids())
    assert not await world.app.stores.requests.list_for_user(
        (await world.app.stores.users.find("discord", "42")).id, limit=5  # type: ignore[union-attr]
    )


async def test_opted_out_song_is_refused_in_words(fake: FakeDiscord, world: ConsoleWorld,
                                                  bot_runner: BotRunner) -> None:
    hidden = world.opted_out_title()
    async with bot_runner(world.app):
        await accept_terms(fake)
        payload = await fake.slash("cover", [opt("song", hidden), opt("style", "lofi")])
        answer = await last_answer(fake, payload)
        assert answer.content.startswith("✋"), answer.content
        assert "withdrawn" in answer.content and hidden in answer.content


async def test_info_commands_answer_privately(fake: FakeDiscord, world: ConsoleWorld,
                                              bot_runner: BotRunner) -> None:
    async with bot_runner(world.app):
        for name, options, words in [
            ("help", [], "cover"),
            ("quota", [], "render-seconds"),
            ("styles", [opt("song", song("Golden Hour", "Lumen Avenue"))], "Styles for"),
            ("voices", [], "Consented voices"),
            ("status", [], "no requests"),
            ("cancel", [opt("request", "nonsense!")], "isn't a request id"),
        ]:
            payload = await fake.slash(name, options)
            assert (await callback(fake, payload)).json == {"type": 5, "data": {"flags": 64}}
            answer = await last_answer(fake, payload)
            assert words.lower() in answer.content.lower(), (name, answer.content)


async def test_the_50th_command_in_a_minute_is_refused_and_nothing_runs(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    async with bot_runner(world.app, DiscordSettings(commands_per_minute=20)):
        await accept_terms(fake, user_id=7, name="spammer")
        payloads = [
            await fake.slash("cover", [opt("song", "Golden Hour"), opt("style", "lofi"),
                                       opt("length", "1")], user_id=7, user_name="spammer")
            for _ in range(49)
        ]
        for payload in payloads[:19]:
            await answer_to(fake, payload)
        last = await fake.slash("cover", [opt("song", "Golden Hour"), opt("style", "lofi")],
                                user_id=7, user_name="spammer")
        refusal = await callback(fake, last)
        assert refusal.json["type"] == 4 and refusal.json["data"]["flags"] == 64
        assert "faster than I can take them" in refusal.json["data"]["content"]
        assert "nothing was run or charged" in refusal.json["data"]["content"]
        # other members are not slowed down by one member's flood
        await accept_terms(fake, user_id=8, name="bob")
    user = await world.app.stores.users.find("discord", "7")
    assert user is not None
    requests = await world.app.stores.requests.list_for_user(user.id, limit=100)
    assert len(requests) == 19  # 20 allowed a minute: 1 terms + 19 covers


async def test_a_replayed_interaction_is_handled_once(fake: FakeDiscord, world: ConsoleWorld,
                                                      bot_runner: BotRunner) -> None:
    async with bot_runner(world.app):
        await accept_terms(fake)
        payload = await fake.slash("cover", [opt("song", "Golden Hour"), opt("style", "lofi")])
        await last_answer(fake, payload)
        again = await fake.slash("cover", [opt("song", "Golden Hour"), opt("style", "lofi")],
                                 interaction_id=int(payload["id"]), token=payload["token"])
        await fake.wait_for(lambda f: len(f.requests) > 0)
        await fake.slash("help")  # a later event proves the replay was processed (ignored)
        await fake.wait_request("PATCH", r"/messages/@original", 3)
        assert again["id"] == payload["id"]
        assert len(callbacks(fake, payload)) == 1
        assert len(await answer_to(fake, payload)) == 1
    user = await world.app.stores.users.find("discord", "42")
    assert user is not None
    assert len(await world.app.stores.requests.list_for_user(user.id, limit=10)) == 1


async def test_ephemeral_answers_to_public_commands_become_private_followups(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    async with bot_runner(world.app):
        payload = await fake.slash("cover", [opt("song", "Golden Hour"), opt("style", "lofi"),
                                             opt("length", "forever")])
        (follow,) = await followups(fake, payload)
        assert follow.json["flags"] == 64
        assert "length" in follow.content.lower()
        assert fake.find("DELETE", rf"/webhooks/\d+/{payload['token']}/messages/@original")


async def test_trace_refuses_non_audio_and_huge_files_without_downloading(
    fake: FakeDiscord, world: ConsoleWorld, bot_runner: BotRunner
) -> None:
    async with bot_runner(world.app):
        pdf = fake.add_attachment("contract.pdf", b"%PDF-1.7", "application/pdf")
        huge = fake.add_attachment("concert.wav", b"RIFF", "audio/wav", size=300 * 1024 * 1024)
        junk = fake.add_attachment("clip.mp3", b"definitely not audio", "audio/mpeg")
        for attachment, words in ((pdf, "isn't an audio file"), (huge, "up to 100 MB")):
            payload = await fake.slash("trace", [opt("file", attachment["id"], 11)],
                                       resolved={"attachments": {attachment["id"]: attachment}})
            refusal = await callback(fake, payload)
            assert refusal.json["type"] == 4 and refusal.json["data"]["flags"] == 64
            assert words in refusal.json["data"]["content"]
        payload = await fake.slash("trace", [opt("file", junk["id"], 11)],
                                   resolved={"attachments": {junk["id"]: junk}})
        answer = await last_answer(fake, payload)
        assert answer.content.startswith("⚠️"), answer.content
    assert [r.path for r in fake.find("GET", r"^/attachments/")] == ["/attachments/clip.mp3"]
