"""One rule for asking again from a clip: other style, or the next take; voice and length kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from core.catalog.demo import ACTIVE_VOICE_ID
from core.commands import CoverCommand, parse_command
from core.model import Clip, RenderRequest, Transformation
from tests.support.world import ConsoleWorld, console_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[ConsoleWorld]:
    async with console_world(tmp_path) as built:
        yield built


async def _clip_of(
    world: ConsoleWorld, line: str, **clip_fields: object
) -> tuple[Clip, RenderRequest]:
    """A request made by ``line`` and a clip for it, as if the job had rendered it."""
    session = world.session("remaker")
    await session.send("terms accept")
    reply = (await session.send(line))[0]
    assert reply.request_id, reply.text
    request = await world.app.stores.requests.get(reply.request_id)
    assert request is not None
    clip = Clip(
        id=f"clip-{request.id}", request_id=request.id, recording_id=request.recording_id,
        transformation=request.transformation, style=request.style,
        voice_model_id=request.voice_model_id, license_id=request.license_id,
        license_version=request.license_version, requester_id=request.user_id,
        audio_sha256="a" * 64, duration_s=float(request.seconds), watermark_token=None,
        created_at=request.created_at,
    )
    clip = replace(clip, **clip_fields)  # type: ignore[arg-type]
    await world.app.stores.clips.add(clip)
    return clip, request


async def test_a_cover_keeps_song_and_length_and_asks_for_a_style(world: ConsoleWorld) -> None:
    song = world.songs.open_song
    clip, _ = await _clip_of(world, f'cover "{song}" style:lofi length:8')
    remakes = await world.app.remakes.of_clip(clip.id)
    assert remakes is not None and remakes.song_title == song
    other, again = remakes.other_style, remakes.regenerate
    assert (other.song, other.style, other.voice, other.seconds, other.take) == (song, None, None, 8, 1)
    assert (again.song, again.style, again.voice, again.seconds, again.take) == (
        song, "lofi", None, 8, 2,
    )
    # what goes behind the buttons reads back as the same commands
    assert parse_command(remakes.other_style_text) == replace(other, unsplit=None)
    assert parse_command(remakes.regenerate_text) == replace(again, unsplit=None)


async def test_a_voice_cover_keeps_its_voice_and_the_next_take_follows_the_last(
    world: ConsoleWorld,
) -> None:
    voice = await world.app.stores.catalog.get_voice_model(ACTIVE_VOICE_ID)
    assert voice is not None
    song = world.songs.open_song
    clip, request = await _clip_of(world, f'cover "{song}" voice:"{voice.name}" length:6')
    remakes = await world.app.remakes.of_clip(clip.id)
    assert remakes is not None
    assert remakes.other_style.voice == remakes.regenerate.voice == voice.name
    assert remakes.regenerate.transformation is Transformation.VOICE_SWAP
    assert remakes.regenerate.take == request.variation + 2


async def test_unknown_clips_and_copies_have_no_remakes(world: ConsoleWorld) -> None:
    assert await world.app.remakes.of_clip("no-such-clip") is None
    assert await world.app.remakes.of_delivery("no-such-copy") is None


def test_the_commands_are_plain_cover_commands() -> None:
    command = CoverCommand("Golden Hour", style="lofi", seconds=8, take=2)
    assert parse_command("cover \"Golden Hour\" style:lofi length:8 take:2") == command
