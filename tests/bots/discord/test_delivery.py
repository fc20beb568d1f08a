"""The whole trip with real audio: /cover → deferral → progress → a watermarked Opus upload.

The app renders for real (a short synthesized song with true stems, the
embedded queue) and hands each clip over through ``app.deliveries``; the
fake Discord keeps the uploaded bytes, so the tests can decode them and
trace their watermark back to the delivery. Then the fallbacks: a file over
the upload limit, a 403 on the upload, a 429, an expired interaction token,
a guild that removed the bot, a gateway reconnect mid-job, a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from config.discord import DiscordSettings
from core.chat.messages import Invocation
from core.model import Origin
from refrain.app import App, open_app
from tests.bots.discord.conftest import BotRunner
from tests.bots.discord.helpers import (
    accept_terms,
    answer_to,
    callback,
    callbacks,
    last_answer,
    opt,
    song,
)
from tests.fakes.fake_discord import (
    ATTACH_FILES,
    BOT_PERMISSIONS,
    CHANNEL_ID,
    GUILD_ID,
    MANAGE_GUILD,
    FakeDiscord,
    Recorded,
)
from tests.support.faults import broken_handover
from tests.support.rendering import build_render_world

pytestmark = pytest.mark.slow

FAST = DiscordSettings(progress_interval_s=0.4)
COVER = [opt("song", song("Golden Hour", "Lumen Avenue")), opt("style", "lofi"),
         opt("length", "6")]


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    world = await build_render_world(tmp_path)
    async with open_app(world.settings, run_jobs=True) as opened:
        yield opened


def uploads(fake: FakeDiscord, pattern: str = r"/messages") -> list[Recorded]:
    return [r for r in fake.requests if r.files and r.status == 200 and pattern in r.path]


async def delivered_to(fake: FakeDiscord, pattern: str, timeout: float = 60.0) -> Recorded:
    found = await fake.wait_for(
        lambda f: [r for r in f.requests if r.status == 200 and r.custom_ids()
                   and any(i.startswith("rf:regen:") for i in r.custom_ids())
                   and pattern in r.path], timeout)
    return found[-1]  # type: ignore[no-any-return]


def delivery_id(record: Recorded) -> str:
    return next(i for i in record.custom_ids() if i.startswith("rf:regen:")).split(":", 2)[2]


async def ask(fake: FakeDiscord, **kwargs: Any) -> dict[str, Any]:
    await accept_terms(fake, kwargs.get("user_id", 42), kwargs.get("user_name", "alice"))
    payload = await fake.slash("cover", COVER, **kwargs)
    assert (await last_answer(fake, payload)).content.startswith("⏳ Queued")
    return payload


async def test_cover_round_trip_uploads_a_traceable_opus_clip(
    fake: FakeDiscord, app: App, bot_runner: BotRunner, tmp_path: Path
) -> None:
    async with bot_runner(app, FAST) as bot:
        payload = await ask(fake)
        assert (await callback(fake, payload)).json == {"type": 5}
        final = await delivered_to(fake, f"/{payload['token']}/messages/@original")
        await bot.adapter.tracker.idle()  # type: ignore[union-attr]
    edits = await answer_to(fake, payload)
    progress = [e for e in edits[1:-1] if "%" in e.content or "in line" in e.content]
    # progress edits are coalesced to one per interval: a render that outlasts a few
    # intervals must show some; a very fast one may go straight from queued to ready
    if edits[-1].at - edits[0].at > 3 * FAST.progress_interval_s:
        assert progress, [e.content for e in edits]
    assert all(b.at - a.at >= 0.35 for a, b in pairwise(edits[:-1])), (
        "progress edits came faster than one per interval")
    name, data = final.files["files[0]"]
    assert name.endswith((".ogg", ".opus")) and data[:4] == b"OggS" and b"OpusHead" in data[:100]
    embed = final.json["embeds"][0]
    assert "Golden Hour" in embed["title"]
    assert "licensed cover via Refrain" in final.text()
    assert "Lumen Avenue" in embed["description"]
    assert [i.split(":")[1] for i in final.custom_ids()] == ["alt", "regen", "trace", "report"]
    assert all(len(i) <= 100 for i in final.custom_ids())
    record = await app.stores.deliveries.get(delivery_id(final))
    assert record is not None and record.platform == "discord" and record.origin is Origin.COMMAND
    assert record.chat_id == str(CHANNEL_ID) and record.size_bytes == len(data)

    clip_file = tmp_path / "leaked.opus"
    clip_file.write_bytes(data)
    outcome = await app.tracer.trace(clip_file, viewer_user_id="mod", full_record=True)
    assert outcome.found and outcome.delivery_id == record.id


async def test_trace_command_identifies_the_uploaded_clip(
    fake: FakeDiscord, app: App, bot_runner: BotRunner
) -> None:
    async with bot_runner(app, FAST):
        payload = await ask(fake)
        final = await delivered_to(fake, f"/{payload['token']}/")
        _, data = final.files["files[0]"]
        attachment = fake.add_attachment("found-online.opus", data, "audio/ogg")
        trace = await fake.slash("trace", [opt("file", attachment["id"], 11)],
                                 resolved={"attachments": {attachment["id"]: attachment}},
                                 user_id=99, user_name="mia", permissions=MANAGE_GUILD)
        answer = await last_answer(fake, trace)
        assert delivery_id(final)[:8] in answer.content or "Refrain" in answer.content
        assert answer.json.get("flags") == 64  # the full record is for the moderator only


async def test_buttons_under_the_clip(fake: FakeDiscord, app: App, bot_runner: BotRunner) -> None:
    async with bot_runner(app, FAST):
        payload = await ask(fake)
        final = await delivered_to(fake, f"/{payload['token']}/")
        ident = delivery_id(final)

        trace = await fake.click(f"rf:trace:{ident}", on=final)
        info = await last_answer(fake, trace)
        assert "genuine, licensed Refrain clip" in info.content

        other = await fake.click(f"rf:alt:{ident}", on=final)
        assert (await callback(fake, other)).json["data"]["flags"] == 64
        question = await last_answer(fake, other)
        assert question.content.startswith("❓") and "Which style" in question.content
        # the one re-make rule (core.requests.remake): the song, the voice and the length stay
        assert any(i.endswith("style:acoustic length:6") for i in question.custom_ids())

        report = await fake.click(f"rf:report:{ident}", on=final)
        modal = await callback(fake, report)
        assert modal.json["type"] == 9 and modal.json["data"]["custom_id"] == f"rf:reportform:{ident}"
        text_id = modal.json["data"]["components"][0]["components"][0]["custom_id"]
        sent = await fake.submit_modal(f"rf:reportform:{ident}", {text_id: "Wrong artist name"})
        assert "moderators of this server" in (await last_answer(fake, sent)).content
        queue = await fake.slash("refrain", [{"name": "reports", "type": 1, "options": []}],
                                 user_id=99, user_name="mia", permissions=MANAGE_GUILD)
        assert "Wrong artist name" in (await last_answer(fake, queue)).content
        hidden = await fake.slash("refrain", [{"name": "reports", "type": 1, "options": []}],
                                  user_id=5, user_name="eve")
        assert "Only moderators" in (await last_answer(fake, hidden)).content

        again = await fake.click(f"rf:regen:{ident}", on=final)
        assert (await callback(fake, again)).json == {"type": 5}  # public: a new clip for all
        assert (await last_answer(fake, again)).content.startswith("⏳ Queued")
        second = await delivered_to(fake, f"/{again['token']}/")
        assert delivery_id(second) != ident
        record = await app.stores.deliveries.get(delivery_id(second))
        assert record is not None and record.origin is Origin.BUTTON
    requests = await app.stores.requests.list_for_user(record.recipient_user_id, limit=10)
    assert len(requests) == 2


async def test_a_clip_over_the_upload_limit_becomes_its_share_link(
    fake: FakeDiscord, app: App, bot_runner: BotRunner
) -> None:
    async with bot_runner(app, FAST):
        payload = await ask(fake, upload_limit=2000)
        final = await delivered_to(fake, f"/{payload['token']}/")
        assert not final.files
        assert f"{app.settings.web.public_url}/s/" in final.text()
        assert "upload limit" in final.text()


async def test_no_attach_permission_or_a_403_gives_the_link(
    fake: FakeDiscord, app: App, bot_runner: BotRunner
) -> None:
    async with bot_runner(app, FAST):
        payload = await ask(fake, app_permissions=BOT_PERMISSIONS & ~ATTACH_FILES)
        final = await delivered_to(fake, f"/{payload['token']}/")
        assert not final.files and "Attach Files" in final.text() and "/s/" in final.text()

        fake.fail("PATCH", r"/messages/@original", 403, when=lambda r: bool(r.files))
        second = await fake.slash("cover", COVER)
        final = await delivered_to(fake, f"/{second['token']}/")
        assert not final.files and "not allowed to attach files" in final.text()
        assert [r.status for r in fake.find("PATCH", rf"/{second['token']}/") if r.files] == [403]


async def test_a_429_on_the_upload_is_waited_out(fake: FakeDiscord, app: App,
                                                 bot_runner: BotRunner) -> None:
    async with bot_runner(app, FAST):
        fake.fail("PATCH", r"/messages/@original", 429, retry_after=0.3,
                  when=lambda r: bool(r.files))
        payload = await ask(fake)
        final = await delivered_to(fake, f"/{payload['token']}/")
        tries = [r for r in fake.find("PATCH", rf"/{payload['token']}/") if r.files]
        assert [r.status for r in tries] == [429, 200] and final.files
        assert tries[1].at - tries[0].at >= 0.3


async def test_after_the_token_expires_the_clip_goes_to_the_channel(
    fake: FakeDiscord, app: App, bot_runner: BotRunner
) -> None:
    async with bot_runner(app, FAST):
        payload = await ask(fake)
        fake.expire(payload["token"])  # Discord: the 15 minutes are over
        final = await delivered_to(fake, f"/channels/{CHANNEL_ID}/messages")
        assert final.content.startswith("<@42> ") and final.files
    async with bot_runner(app, DiscordSettings(progress_interval_s=0.4, token_lifetime_s=0.01)):
        payload = await fake.slash("cover", COVER)
        await last_answer(fake, payload)
        await fake.wait_for(lambda f: len(uploads(f, f"/channels/{CHANNEL_ID}/messages")) == 2,
                            60)
        assert not [r for r in fake.find("PATCH", rf"/{payload['token']}/") if r.files]


async def test_channel_refuses_then_the_clip_comes_by_dm(
    fake: FakeDiscord, app: App, bot_runner: BotRunner
) -> None:
    async with bot_runner(app, DiscordSettings(progress_interval_s=0.4, token_lifetime_s=0.01)):
        fake.fail("POST", rf"/channels/{CHANNEL_ID}/messages", 403, times=2)
        await ask(fake)
        dm = await delivered_to(fake, "/channels/930")
        assert "couldn't post in the channel" in dm.content and dm.files


async def test_a_guild_that_removed_the_bot_mid_job_gets_the_clip_by_dm(
    fake: FakeDiscord, app: App, bot_runner: BotRunner
) -> None:
    async with bot_runner(app, FAST) as bot:
        await accept_terms(fake)
        payload = await fake.slash("cover", COVER)
        await callback(fake, payload)
        await fake.remove_guild(GUILD_ID)
        await fake.wait_for(lambda f: bot.get_guild(GUILD_ID) is None)
        dm = await delivered_to(fake, "/channels/930")
        assert "no longer on the server" in dm.content and dm.files
    user = await app.stores.users.find("discord", "42")
    assert user is not None
    (request,) = await app.stores.requests.list_for_user(user.id, limit=5)
    assert request.state.value == "DELIVERED"


async def test_reconnect_mid_job_neither_loses_nor_duplicates(
    fake: FakeDiscord, app: App, bot_runner: BotRunner
) -> None:
    async with bot_runner(app, FAST):
        await accept_terms(fake)
        payload = await fake.slash("cover", COVER)
        await callback(fake, payload)
        await fake.drop_connection(4000)
        # Discord replays what the bot may have missed after RESUME: the same interaction
        await fake.dispatch("INTERACTION_CREATE", payload)
        await fake.wait_for(lambda f: f.resumes)
        await delivered_to(fake, f"/{payload['token']}/")
        await asyncio.sleep(0.5)
    assert len(fake.identifies) == 1 and len(fake.resumes) == 1
    assert len(callbacks(fake, payload)) == 1
    assert len(uploads(fake)) == 1
    user = await app.stores.users.find("discord", "42")
    assert user is not None
    assert len(await app.stores.requests.list_for_user(user.id, limit=5)) == 1


async def test_a_request_from_before_a_restart_is_delivered_to_its_channel(
    fake: FakeDiscord, app: App, bot_runner: BotRunner
) -> None:
    async with bot_runner(app, FAST, orphan_grace_s=0.2):
        await accept_terms(fake)
        # asked of the previous process, whose message this one never saw
        made = await app.handler.handle(Invocation(
            platform="discord", message_id="555", user_id="42", user_name="alice",
            scope_id=f"discord:{GUILD_ID}", channel_id=str(CHANNEL_ID),
            text='cover "Golden Hour" style:lofi length:6'))
        assert made[0].code == "QUEUED"
        final = await delivered_to(fake, f"/channels/{CHANNEL_ID}/messages")
        assert final.content.startswith("<@42> ") and final.files


async def test_a_fault_while_handing_over_is_plain_words_never_a_traceback(
    fake: FakeDiscord, app: App, bot_runner: BotRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.deliveries, "handover", broken_handover)
    async with bot_runner(app, FAST):
        payload = await ask(fake)
        final = await fake.wait_for(
            lambda f: [r for r in f.find("PATCH", rf"/{payload['token']}/")
                       if "incident" in r.text()], 60)
    text = final[-1].text()
    assert "couldn't hand over your clip" in text and "/srv/" not in text
    assert "Read-only" not in text and "Traceback" not in text


async def test_other_style_and_regenerate_run_the_core_remake_commands(
    fake: FakeDiscord, app: App, bot_runner: BotRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clip's buttons run exactly what core.requests.remake words (the same rule the
    Telegram keyboard carries): the song, the voice and the length kept; the next take."""
    handled: list[str] = []
    handle = app.handler.handle

    async def recording(invocation: Invocation) -> Any:
        handled.append(invocation.text)
        return await handle(invocation)

    monkeypatch.setattr(app.handler, "handle", recording)
    async with bot_runner(app, FAST):
        payload = await ask(fake)
        final = await delivered_to(fake, f"/{payload['token']}/")
        ident = delivery_id(final)
        remakes = await app.remakes.of_delivery(ident)
        assert remakes is not None
        other = await fake.click(f"rf:alt:{ident}", on=final)
        await last_answer(fake, other)
        again = await fake.click(f"rf:regen:{ident}", on=final)
        await last_answer(fake, again)
    assert handled[-2:] == [remakes.other_style_text, remakes.regenerate_text]
    assert "length:6" in remakes.other_style_text and "take:2" in remakes.regenerate_text
