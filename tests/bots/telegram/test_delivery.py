"""A cover from command to MP3 in the chat, and every way the same clip travels on.

Real renders (the embedded queue, a short synthesized song with true stems),
real watermarked MP3 deliveries, the real PTB Application against the fake
Bot API. Usage lines are read back from the play log in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import html
import itertools
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from core.model import Origin, RequestState, UsageType
from engine.encode import decode_to_float
from refrain.app import App, open_app
from tests.bots.telegram.conftest import run_bot
from tests.bots.telegram.helpers import Person, accepted
from tests.fakes.fake_telegram import Call, FakeTelegram, user
from tests.support.faults import broken_handover
from tests.support.rendering import RenderWorld, build_render_world


class Plays:
    """The play log's DELIVERY/usage lines of one delivery, in the order they were stored."""

    def __init__(self, database_url: str) -> None:
        self._path = database_url.removeprefix("sqlite+aiosqlite:///")

    def of(self, delivery_id: str) -> list[Origin]:
        with contextlib.closing(sqlite3.connect(self._path)) as connection:
            rows = connection.execute(
                "SELECT origin FROM play_event WHERE delivery_id = ? ORDER BY rowid", (delivery_id,)
            ).fetchall()
        return [Origin(origin) for (origin,) in rows]


@pytest.fixture
async def render_world(tmp_path: Path) -> RenderWorld:
    world = await build_render_world(tmp_path)
    web = world.settings.web.model_copy(update={"public_url": "https://refrain.example"})
    settings = world.settings.model_copy(update={"web": web})
    return dataclasses.replace(world, settings=settings)


@pytest.fixture
async def plays(render_world: RenderWorld) -> Plays:
    return Plays(render_world.settings.database_url)


@pytest.fixture
async def serving(render_world: RenderWorld) -> AsyncIterator[App]:
    async with open_app(render_world.settings, run_jobs=True) as app:
        yield app


async def cover(fake: FakeTelegram, person: Person, song: str) -> tuple[Call, Call]:
    """/cover … → (the queued message, the sendAudio call)."""
    await accepted(person)
    mark, _ = await person.send(f'/cover "{song}" style:lofi length:6')
    queued = await fake.wait_for("sendMessage", lambda c: "Queued" in c.text, after=mark)
    audio = await fake.wait_for("sendAudio", lambda c: c.chat_id == person.chat_id, after=mark,
                                timeout=120)
    return queued, audio


def sent_file_id(fake: FakeTelegram, call: Call) -> str:
    assert call.files["audio"].data == fake.files[call.result["audio"]["file_id"]]
    return str(call.result["audio"]["file_id"])


async def inline_query(fake: FakeTelegram, who: dict[str, Any], query: str, offset: str = "") -> Call:
    mark = len(fake.calls)
    await fake.push({"inline_query": {"id": f"iq{time.monotonic_ns()}", "from": who, "query": query,
                                      "offset": offset}})
    return await fake.wait_for("answerInlineQuery", after=mark)


async def test_cover_round_trip_deep_links_and_inline_shares(
    serving: App, render_world: RenderWorld, fake: FakeTelegram, plays: Plays, tmp_path: Path
) -> None:
    alice, bob, carol = Person(fake, 401, "Alice"), Person(fake, 402, "Bob"), Person(fake, 403, "Carol")
    async with run_bot(serving, fake):
        queued, audio = await cover(fake, alice, render_world.song)
        # the MP3 upload, with its title, performer and credits
        upload = audio.files["audio"]
        assert upload.filename.endswith(".mp3") and len(upload.data) > 10_000
        (tmp_path / "got.mp3").write_bytes(upload.data)
        samples, rate = decode_to_float(tmp_path / "got.mp3")
        assert abs(samples.shape[1] / rate - 6.0) < 0.3
        assert "lofi" in audio.fields["title"].lower() or "Lo" in audio.fields["title"]
        assert audio.fields["performer"].startswith("Refrain cover of")
        assert "licensed cover via Refrain" in audio.text
        labels = [b["text"] for b in audio.buttons()]
        assert any("Other style" in x for x in labels) and any("Regenerate" in x for x in labels)
        share = next(b for b in audio.buttons() if "switch_inline_query" in b)
        assert share["switch_inline_query"] == render_world.song
        # the queued message was edited, never faster than the interval, and ends "ready"
        message_id = str(queued.result["message_id"])
        edits = [c for c in fake.of("editMessageText", 401) if c.fields["message_id"] == message_id]
        assert edits and "Ready" in edits[-1].text
        gaps = [b.at - a.at for a, b in itertools.pairwise(edits)]
        assert all(gap >= 0.15 for gap in gaps), gaps
        file_id = sent_file_id(fake, audio)
        await fake.settle()

        [delivery] = await serving.stores.deliveries.for_clip(
            (await _only_clip(serving)).id
        )
        assert delivery.platform == "telegram" and delivery.platform_file_id == file_id
        assert plays.of(delivery.id) == [Origin.COMMAND]

        # the requester opens their own share link: the same file, no upload
        mark, _ = await alice.send(f"/start clip_{delivery.share_id}")
        again = await fake.wait_for("sendAudio", after=mark)
        assert again.fields["audio"] == file_id and not again.files
        assert plays.of(delivery.id) == [Origin.COMMAND, Origin.SHARED_LINK]

        # someone else opens it: a copy of their own, with its own watermark
        mark, _ = await bob.send(f"/start clip_{delivery.share_id}")
        bobs = await fake.wait_for("sendAudio", after=mark, timeout=60)
        await fake.settle()
        assert bobs.files["audio"].data != upload.data
        deliveries = await serving.stores.deliveries.for_clip(delivery.clip_id)
        bob_copy = next(d for d in deliveries if d.id != delivery.id)
        assert bob_copy.token != delivery.token and bob_copy.origin is Origin.SHARED_LINK
        assert bob_copy.platform_file_id == sent_file_id(fake, bobs)

        # broken and unknown links get words
        reply = await carol.say("/start clip_$$$")
        assert "broken" in reply.text
        reply = await carol.say("/start clip_AAAAAAAAAAAAAAAA")
        assert "unknown or has expired" in reply.text

        # inline mode: alice's own copy is offered as that very audio
        answer = await inline_query(fake, alice.user, render_world.song[:6])
        results = answer.json("results")
        assert answer.fields["is_personal"] == "true" and int(answer.fields["cache_time"]) <= 60
        own = next(r for r in results if r["type"] == "audio")
        assert own["audio_file_id"] == file_id and own["id"] == f"d:{delivery.id}"
        assert len(results) <= 50 and answer.fields.get("next_offset", "") == ""
        # carol has no copy: she gets a link that opens the clip in a private chat
        answer = await inline_query(fake, carol.user, "")
        [link] = answer.json("results")
        assert link["type"] == "article"
        url = link["reply_markup"]["inline_keyboard"][0][0]["url"]
        assert url.startswith("https://t.me/RefrainTestBot?start=clip_")
        # a forged offset starts over instead of failing
        answer = await inline_query(fake, carol.user, "", offset="-5x")
        assert len(answer.json("results")) == 1

        # alice picks her result: one more usage of her delivery, origin INLINE
        await fake.push({"chosen_inline_result": {"result_id": f"d:{delivery.id}", "from": alice.user,
                                                  "query": render_world.song[:6]}})
        # a forged result naming someone else's delivery is not logged for them
        await fake.push({"chosen_inline_result": {"result_id": f"d:{bob_copy.id}",
                                                  "from": user(403, "Carol"), "query": "x"}})
        await fake.settle()
        assert plays.of(delivery.id) == [Origin.COMMAND, Origin.SHARED_LINK, Origin.INLINE]
        assert plays.of(bob_copy.id) == [Origin.SHARED_LINK]

        # "other style" on the audio asks which style, through the grammar
        other = next(b for b in audio.buttons() if "Other style" in b["text"])
        mark = await alice.press(audio, other["callback_data"])
        question = await fake.wait_for("sendMessage", lambda c: "Which style" in c.text, after=mark)
        assert question.button_data()

        # "report" files the clip in the chat's report queue for its moderators
        report = next(b for b in audio.buttons() if "Report" in b["text"])
        mark = await alice.press(audio, report["callback_data"])
        await fake.wait_for("sendMessage", lambda c: "moderators" in c.text, after=mark)
    assert len(await serving.stores.deliveries.for_clip(delivery.clip_id)) == 2


async def test_big_files_go_out_as_a_link(
    serving: App, render_world: RenderWorld, fake: FakeTelegram
) -> None:
    dora = Person(fake, 404, "Dora")
    async with run_bot(serving, fake, max_upload_bytes=1000):
        await accepted(dora)
        mark, _ = await dora.send(f'/cover "{render_world.song}" style:lofi length:6')
        link = await fake.wait_for("sendMessage", lambda c: "too big for Telegram" in c.text,
                                   after=mark, timeout=120)
    assert "https://refrain.example/s/" in link.text
    assert not fake.of("sendAudio")


async def test_blocked_user_completes_the_request_without_retrying(
    serving: App, render_world: RenderWorld, fake: FakeTelegram
) -> None:
    eve = Person(fake, 405, "Eve")
    async with run_bot(serving, fake):
        fake.fail_next("sendAudio", 403, "Forbidden: bot was blocked by the user")
        await accepted(eve)
        mark, _ = await eve.send(f'/cover "{render_world.song}" style:lofi length:6')
        await fake.wait_for("sendAudio", after=mark, timeout=120)
        await fake.settle()
    assert len(fake.of("sendAudio")) == 1
    found = await serving.stores.users.find("telegram", "405")
    assert found is not None
    [request] = await serving.stores.requests.list_for_user(found.id)
    assert request.state is RequestState.DELIVERED and request.clip_id
    [kept] = await serving.stores.deliveries.for_clip(request.clip_id)
    assert kept.platform_file_id is None  # the result is kept; nothing was uploaded


async def _only_clip(app: App) -> Any:
    [clip] = await app.stores.clips.popular(10) or await _all_clips(app)
    return clip


async def _all_clips(app: App) -> list[Any]:
    requests = await app.stores.requests.list_in_states(frozenset({RequestState.DELIVERED}))
    return [await app.stores.clips.for_request(r.id) for r in requests]


__all__ = ["UsageType"]


async def test_a_clip_finished_while_the_bot_was_down_is_sent_when_it_starts(
    serving: App, fake: FakeTelegram, render_world: RenderWorld
) -> None:
    dora = Person(fake, 404, "Dora")
    # the request is taken by a bot process whose app renders nothing…
    async with open_app(render_world.settings) as idle, run_bot(idle, fake):
        await accepted(dora)
        mark, _ = await dora.send(f'/cover "{render_world.song}" style:lofi length:5')
        await fake.wait_for("sendMessage", lambda c: "Queued" in c.text, after=mark)
    # …and rendered by a worker while no bot runs
    assert await serving.requests.recover() == 1
    request = next(
        r for r in await serving.stores.requests.list_in_states(frozenset(RequestState))
        if r.idempotency_key.startswith("telegram:")
    )
    for _ in range(600):
        current = await serving.stores.requests.get(request.id)
        if current is not None and current.state is RequestState.DELIVERED:
            break
        await asyncio.sleep(0.2)
    assert current is not None and current.clip_id and current.state is RequestState.DELIVERED
    # the requester's copy was made (and charged) by the job, but no chat has it yet
    [waiting] = await serving.stores.deliveries.for_clip(current.clip_id)
    assert waiting.id == current.delivery_id and waiting.handed_over_at is None
    mark = len(fake.calls)
    async with run_bot(serving, fake):
        audio = await fake.wait_for("sendAudio", lambda c: c.chat_id == dora.chat_id, after=mark,
                                    timeout=60)
        for _ in range(100):  # marked right after the upload returns
            copies = await serving.stores.deliveries.for_clip(current.clip_id)
            if copies[0].handed_over_at is not None:
                break
            await asyncio.sleep(0.05)
    assert audio.files["audio"].data
    assert [d.recipient_user_id for d in copies] == [current.user_id]
    assert copies[0].handed_over_at is not None


async def test_a_fault_while_handing_over_is_plain_words_never_a_traceback(
    serving: App, render_world: RenderWorld, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serving.deliveries, "handover", broken_handover)
    finn = Person(fake, 406, "Finn")
    async with run_bot(serving, fake):
        await accepted(finn)
        mark, _ = await finn.send(f'/cover "{render_world.song}" style:lofi length:6')
        said = await fake.wait_for("sendMessage", lambda c: "incident" in c.text, after=mark,
                                   timeout=120)
    text = html.unescape(said.text)
    assert "couldn't hand over your clip" in text and "/srv/" not in text
    assert not fake.of("sendAudio")


async def test_other_style_and_regenerate_are_the_core_remake_commands(
    serving: App, render_world: RenderWorld, fake: FakeTelegram
) -> None:
    """The keyboard under a clip carries exactly what core.requests.remake words (the same
    rule Discord's buttons run): the song, the voice and the length kept; the next take."""
    gil = Person(fake, 407, "Gil")
    async with run_bot(serving, fake):
        _, audio = await cover(fake, gil, render_world.song)
    by_label = {b["text"]: b.get("callback_data", "") for b in audio.buttons()}
    stored = {
        label: await serving.stores.buttons.get(data.removeprefix("b:"))
        for label, data in by_label.items() if "Other style" in label or "Regenerate" in label
    }
    [clip] = [c for c in await _all_clips(serving) if c is not None]
    remakes = await serving.remakes.of_clip(clip.id)
    assert remakes is not None
    commands = {label.split(" ", 1)[1]: state.command for label, state in stored.items() if state}
    assert commands == {"Other style": remakes.other_style_text,
                        "Regenerate": remakes.regenerate_text}
    assert "length:6" in remakes.other_style_text and "take:2" in remakes.regenerate_text
