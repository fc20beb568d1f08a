"""Deliveries end to end: each hand-over is its own marked copy, and trace finds it.

Real renders (a 20-s synthesized song with true stems), real watermark, real
encoders: a copy re-encoded by a fan still names its delivery.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bots.console import ConsoleSession
from core.deliveries import NotDeliverable, Tracer
from core.deliveries.takedown import take_down
from core.media import MarkingKey
from core.model import Origin, RequestState
from engine.delivery_audio import DeliveryAudioEngine
from engine.encode import EncodeFormat, read_tags
from jobs.embedded import EmbeddedQueue
from refrain.app import App, open_app
from tests.support.rendering import RenderWorld, build_render_world, fan

CLIP_SECONDS = 16


@pytest.fixture
async def world(tmp_path: Path) -> RenderWorld:
    return await build_render_world(tmp_path, song_seconds=24.0)


@pytest.fixture
async def serving(world: RenderWorld) -> AsyncIterator[App]:
    async with open_app(world.settings, run_jobs=True) as app:
        yield app


async def rendered_clip(app: App, world: RenderWorld, who: str = "alice") -> tuple[str, str]:
    """(clip id, requester user id) of a fresh lofi cover."""
    session = await fan(app, who)
    reply = (await session.send(f'cover "{world.song}" style:lofi length:{CLIP_SECONDS}'))[0]
    assert reply.request_id, reply.text
    assert isinstance(app.queue, EmbeddedQueue)
    await asyncio.wait_for(app.queue.join(), timeout=120)
    request = await app.stores.requests.get(reply.request_id)
    assert request is not None and request.state is RequestState.DELIVERED, request
    assert request.clip_id
    return request.clip_id, request.user_id


def reencode(source: Path, target: Path, *args: str) -> Path:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(source), *args, str(target)], check=True
    )
    return target


async def test_two_deliveries_are_two_marked_copies_of_one_clip(
    serving: App, world: RenderWorld, tmp_path: Path
) -> None:
    clip_id, alice = await rendered_clip(serving, world)
    first = await serving.deliveries.deliver(
        clip_id, recipient_user_id=alice, platform="console", chat_id="general",
        origin=Origin.COMMAND, fmt=EncodeFormat.OPUS,
    )
    second = await serving.deliveries.deliver(
        clip_id, recipient_user_id=alice, platform="console", chat_id="other",
        origin=Origin.BUTTON, fmt=EncodeFormat.MP3,
    )
    assert first.delivery.token != second.delivery.token
    assert first.delivery.sha256 != second.delivery.sha256
    clip = await serving.stores.clips.get(clip_id)
    request = await serving.stores.requests.get(clip.request_id) if clip else None
    assert request is not None and request.delivery_id  # the requester's own copy, made first
    assert {d.id for d in await serving.stores.deliveries.for_clip(clip_id)} == {
        request.delivery_id, first.delivery.id, second.delivery.id,
    }
    # a fan re-encodes each copy; each still names its own delivery
    for delivered, name in ((first, "a.mp3"), (second, "b.ogg")):
        codec = ["-c:a", "libmp3lame", "-b:a", "128k"] if name.endswith("mp3") else [
            "-c:a", "libopus", "-b:a", "64k"]
        leaked = reencode(delivered.path, tmp_path / name, *codec)
        outcome = await serving.tracer.trace(leaked, viewer_user_id="mod", full_record=True)
        assert outcome.found, outcome.message
        assert outcome.method == "watermark"
        assert outcome.clip_id == clip_id and outcome.delivery_id == delivered.delivery.id


async def test_exact_copy_is_matched_by_hash_and_fans_learn_only_that_it_is_genuine(
    serving: App, world: RenderWorld
) -> None:
    clip_id, alice = await rendered_clip(serving, world)
    delivered = await serving.deliveries.deliver(
        clip_id, recipient_user_id=alice, platform="console", chat_id=None,
        origin=Origin.COMMAND, fmt=EncodeFormat.OPUS,
    )
    full = await serving.tracer.trace(delivered.path, viewer_user_id="mod", full_record=True)
    assert full.found and full.method == "exact" and full.delivery_id == delivered.delivery.id
    assert "alice" in full.message and "license" in full.message
    fan_view = await serving.tracer.trace(delivered.path, viewer_user_id="x", full_record=False)
    assert fan_view.found and "Genuine licensed Refrain clip" in fan_view.message
    assert "alice" not in fan_view.message and delivered.delivery.id not in fan_view.message


async def test_delivered_file_is_tagged(serving: App, world: RenderWorld) -> None:
    clip_id, alice = await rendered_clip(serving, world)
    delivered = await serving.deliveries.deliver(
        clip_id, recipient_user_id=alice, platform="console", chat_id=None,
        origin=Origin.COMMAND, fmt=EncodeFormat.MP3,
    )
    tags = read_tags(delivered.path)
    assert tags["title"] == delivered.title and "cover" in tags["title"]
    assert tags["artist"].startswith("Refrain cover of ")
    assert delivered.share_url in tags["comment"] and "license" in tags["comment"]
    assert "licensed cover via Refrain" in delivered.credits


async def test_the_unmarked_master_and_another_deployment_find_nothing(
    serving: App, world: RenderWorld, tmp_path: Path
) -> None:
    clip_id, alice = await rendered_clip(serving, world)
    clip = await serving.stores.clips.get(clip_id)
    assert clip is not None
    master = serving.blobs.path_of(clip.audio_sha256)
    unmarked = await serving.tracer.trace(master, viewer_user_id="mod", full_record=True)
    assert not unmarked.found and "No Refrain watermark found" in unmarked.message
    delivered = await serving.deliveries.deliver(
        clip_id, recipient_user_id=alice, platform="console", chat_id=None,
        origin=Origin.COMMAND, fmt=EncodeFormat.OPUS,
    )
    elsewhere = Tracer(serving.stores, None, [MarkingKey("other", b"another deployment's key")],
                       DeliveryAudioEngine())
    # not the exact file (that would match by hash in this database): a re-encode
    copy = reencode(delivered.path, tmp_path / "copy.wav")
    outcome = await elsewhere.trace(copy, viewer_user_id="mod", full_record=True)
    assert not outcome.found
    assert (await serving.tracer.trace(copy, viewer_user_id="mod", full_record=True)).found


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"this is not audio, just words " * 100, "could not read"),
        (b"\x00\xff" * 5000, "could not read"),
    ],
)
async def test_bad_files_get_a_clear_answer(
    serving: App, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "suspect.mp3"
    path.write_bytes(content)
    outcome = await serving.tracer.trace(path, viewer_user_id="mod", full_record=True)
    assert not outcome.found and expected in outcome.message


async def test_a_telephone_quality_copy_is_read_and_the_answer_says_what_was_lost(
    serving: App, world: RenderWorld, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """8 kHz keeps a third of the mark's band: resampled and tried, never a traceback."""
    clip_id, user_id = await rendered_clip(serving, world)
    delivered = await serving.deliveries.deliver(
        clip_id, recipient_user_id=user_id, platform="console", chat_id="c",
        origin=Origin.COMMAND, fmt=EncodeFormat.OPUS,
    )
    phone = reencode(delivered.path, tmp_path / "phone.wav", "-ar", "8000", "-ac", "1")
    with caplog.at_level(logging.DEBUG):
        outcome = await serving.tracer.trace(phone, viewer_user_id="mod", full_record=True)
    assert not any(r.exc_info for r in caplog.records)
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)
    if outcome.found:  # a strong mark may survive; then it must be the right copy
        assert outcome.delivery_id == delivered.delivery.id
    else:
        assert "telephone quality (8 kHz)" in outcome.message
        assert "could not read" not in outcome.message.lower()
        fan_view = await serving.tracer.trace(phone, viewer_user_id="x", full_record=False)
        assert fan_view.message == outcome.message


async def test_huge_file_is_refused_without_reading_it(serving: App, tmp_path: Path) -> None:
    path = tmp_path / "huge.wav"
    with path.open("wb") as file:
        file.truncate(101 * 1024 * 1024)  # sparse: no 100 MB written
    outcome = await serving.tracer.trace(path, viewer_user_id="mod", full_record=True)
    assert not outcome.found and "too big" in outcome.message


async def test_takedown_stops_deliveries_and_is_on_the_record(
    serving: App, world: RenderWorld
) -> None:
    clip_id, alice = await rendered_clip(serving, world)
    delivered = await serving.deliveries.deliver(
        clip_id, recipient_user_id=alice, platform="console", chat_id=None,
        origin=Origin.COMMAND, fmt=EncodeFormat.OPUS,
    )
    outcome = await take_down(
        serving.stores, serving.clock, clip_id, why="leaked to a pirate site", actor_user_id="mod"
    )
    assert outcome.new and "taken down" in outcome.message
    with pytest.raises(NotDeliverable, match="taken down"):
        await serving.deliveries.deliver(
            clip_id, recipient_user_id=alice, platform="console", chat_id=None,
            origin=Origin.BUTTON, fmt=EncodeFormat.OPUS,
        )
    with pytest.raises(NotDeliverable, match="taken down"):
        await serving.deliveries.resend(
            delivered.delivery.id, platform="telegram", chat_id="c", recipient_user_id=alice,
            origin=Origin.INLINE,
        )
    request = await serving.stores.requests.get(
        (await serving.stores.clips.get(clip_id)).request_id  # type: ignore[union-attr]
    )
    assert request is not None
    audit = await serving.stores.audit.list(request.scope_id)
    assert any(e.action == "takedown" and "pirate" in e.detail for e in audit)
    again = await take_down(
        serving.stores, serving.clock, clip_id, why="again", actor_user_id="mod"
    )
    assert not again.new and "already" in again.message
    # the requester is told once, the next time they talk to Refrain
    alice_again = ConsoleSession(serving.handler.handle, "alice", "jobs")
    first = await alice_again.send("quota")
    assert first[0].code == "NOTICE" and "taken down" in first[0].text and "pirate" in first[0].text
    assert all(r.code != "NOTICE" for r in await alice_again.send("quota"))
