"""What the choices offer is what ``/cover`` grants: songs, styles and voices, one rule."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from core.entitlements import DenyCode
from core.model import Transformation
from core.requests import Requester
from tests.support.world import ConsoleWorld, console_world

SCOPE = "console:testguild"
VOICE_REFUSALS = {DenyCode.VOICE_UNKNOWN.value, DenyCode.VOICE_REVOKED.value,
                  DenyCode.VOICE_NOT_CONSENTED.value}
_names = itertools.count()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[ConsoleWorld]:
    async with console_world(tmp_path) as built:
        yield built


def _who(name: str) -> Requester:
    return Requester("console", name, name, SCOPE, "general", f"m-{name}")


async def _ask(world: ConsoleWorld, line: str) -> str:
    """One line from a fresh fan (own quota, no cooldown); the reply's code."""
    session = world.session(f"fan{next(_names)}")
    assert (await session.send("terms accept"))[0].code == "TERMS_ACCEPTED"
    reply = (await session.send(line))[0]
    return reply.code or reply.kind.value


async def test_every_offered_voice_is_granted_by_cover(world: ConsoleWorld) -> None:
    choices = world.app.choices
    voice_songs = [
        r for r in world.batch.recordings
        if r.id not in world.hidden_ids()
        and Transformation.VOICE_SWAP in dict(world.batch.licenses)[r.id].transformations
    ]
    assert voice_songs, "the demo catalog has no voice-licensed song?"
    offered_any = 0
    for recording in voice_songs:
        for style in (None, "lofi", "acoustic", "8-bit"):
            voices = await choices.voices(recording, _who("picker"), style)
            for voice in voices:
                offered_any += 1
                style_part = f" style:{style}" if style else ""
                code = await _ask(
                    world, f'cover "{recording.title}" voice:"{voice.name}"{style_part} length:5'
                )
                assert code not in VOICE_REFUSALS, (recording.title, voice.name, style, code)
    assert offered_any > 0


async def test_a_voice_not_offered_is_one_cover_refuses(world: ConsoleWorld) -> None:
    """The choices leave out what would be refused (so they are not simply everything)."""
    song = next(r for r in world.batch.recordings if r.title == world.songs.open_song)
    names = {v.name for v in await world.app.choices.voices(song, _who("picker"), None)}
    everything = {v.name for v in await world.app.stores.catalog.list_voice_models()}
    left_out = everything - names
    assert left_out, "every voice is offered: nothing to check"
    for name in sorted(left_out):
        code = await _ask(world, f'cover "{song.title}" voice:"{name}" length:5')
        assert code in VOICE_REFUSALS | {DenyCode.TRANSFORMATION_NOT_LICENSED.value}, (name, code)


async def test_a_server_that_disables_a_voice_is_not_offered_it(world: ConsoleWorld) -> None:
    song = next(r for r in world.batch.recordings if r.title == world.songs.open_song)
    before = [v.name for v in await world.app.choices.voices(song, _who("picker"), "lofi")]
    assert before
    policy = await world.app.stores.policies.get(SCOPE)
    kept = before[:1]
    await world.app.stores.policies.save(
        replace(policy, allowed_voices=frozenset(kept))
    )
    after = [v.name for v in await world.app.choices.voices(song, _who("picker"), "lofi")]
    assert after == kept


async def test_songs_leave_out_opted_out_and_filtered_explicit_ones(world: ConsoleWorld) -> None:
    choices = world.app.choices
    opted_out = world.opted_out_title()
    offered = {s.title for s in await choices.songs("", SCOPE, 100)}
    assert opted_out not in offered and world.songs.open_song in offered
    assert opted_out not in {s.title for s in await choices.songs(opted_out, SCOPE, 25)}
    explicit = [r for r in world.batch.recordings if r.explicit and r.id not in world.hidden_ids()]
    if explicit:
        policy = await world.app.stores.policies.get(SCOPE)
        await world.app.stores.policies.save(replace(policy, nsfw_filter=True))
        filtered = {s.title for s in await choices.songs("", SCOPE, 100)}
        assert not {r.title for r in explicit} & filtered


async def test_styles_are_what_the_license_and_the_server_allow(world: ConsoleWorld) -> None:
    title, licensed, missing = world.restricted_style_song()
    song = next(r for r in world.batch.recordings if r.title == title)
    styles = await world.app.choices.styles(song, SCOPE)
    assert set(styles) <= licensed and missing not in styles
    assert await world.app.choices.styles(None, SCOPE)  # before a song: every style
