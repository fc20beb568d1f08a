"""A burst of requests at once (a server's "everyone cover this!" moment) through the console.

Concurrent submits are answered together (``core.batching``); each must get
exactly the answer it would have had alone, in arrival order: quota never
oversold, cooldowns kept, a double-delivered message one request, notices
shown once.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from core.chat.messages import Reply
from core.model import User
from core.notices import notify
from tests.bots.console.test_refusals import fan, say
from tests.support.world import ConsoleWorld


async def _at_once(world: ConsoleWorld, lines: list[tuple[str, str]]) -> list[Reply]:
    """Each (user, line) typed at the same moment; the first reply of each."""
    sessions = {user: world.session(user) for user, _ in lines}
    replies = await asyncio.gather(*(sessions[user].send(line) for user, line in lines))
    return [r[-1] for r in replies]  # a notice, if any, comes first


async def test_a_burst_from_one_fan_never_oversells_their_quota(world: ConsoleWorld) -> None:
    await fan(world, "bob")
    song = world.songs.open_song
    lines = [("bob", f'cover "{song}" style:lofi length:10 take:{k}') for k in range(1, 9)]
    replies = await _at_once(world, lines)
    codes = [r.code for r in replies]
    assert codes == ["QUEUED"] * 6 + ["USER_QUOTA_EXHAUSTED"] * 2  # free tier: 60 s a day
    assert "used all 60 of your render-seconds today" in replies[-1].text
    user = await world.app.stores.users.find("console", "bob")
    assert user is not None
    requests = await world.app.stores.requests.list_for_user(user.id, limit=20)
    assert len(requests) == 6


async def test_a_burst_keeps_the_servers_cooldown(world: ConsoleWorld) -> None:
    mod = world.session("mod", moderator=True)
    assert (await say(mod, "settings cooldown 60")).code == "SETTING_CHANGED"
    await fan(world, "carol")
    song = world.songs.open_song
    lines = [("carol", f'cover "{song}" style:{s} length:5') for s in ("lofi", "acoustic", "8-bit")]
    assert [r.code for r in await _at_once(world, lines)] == ["QUEUED", "COOLDOWN", "COOLDOWN"]


async def test_the_same_message_twice_in_a_burst_is_one_request(world: ConsoleWorld) -> None:
    dave = await fan(world, "dave")
    invocation = dave.invocation(f'cover "{world.songs.open_song}" style:lofi length:10')
    first, again = await asyncio.gather(
        world.app.handler.handle(invocation), world.app.handler.handle(invocation)
    )
    assert first[0].code == again[0].code == "QUEUED"
    assert first[0].request_id == again[0].request_id
    assert "Already on it" in again[0].text and "Already on it" not in first[0].text


async def test_mixed_requests_in_a_burst_each_get_their_own_answer(world: ConsoleWorld) -> None:
    for name in ("erin", "frank", "gina", "hal"):
        await fan(world, name)
    song = world.songs.open_song
    replies = await _at_once(world, [
        ("erin", 'cover "No Such Song At All" style:lofi'),
        ("frank", f'cover "{song}"'),
        ("gina", f'cover "{song}" style:lofi length:10'),
        ("hal", f'cover "{song}" style:polka'),
    ])  # fmt: skip
    assert [r.code for r in replies] == ["SONG_UNKNOWN", "NEEDS_STYLE", "QUEUED", "STYLE_UNKNOWN"]


async def test_a_notice_is_shown_once_even_in_a_burst(world: ConsoleWorld) -> None:
    ivy = await fan(world, "ivy")
    user = await world.app.stores.users.find("console", "ivy")
    assert user is not None
    await notify(world.app.stores.audit, world.clock, user.id, "Your clip was taken down.", "mod")
    replies = await asyncio.gather(*(ivy.send("quota") for _ in range(3)))
    notices = [r for batch in replies for r in batch if r.code == "NOTICE"]
    assert [n.text for n in notices] == ["Your clip was taken down."]
    assert all(batch[-1].code != "NOTICE" for batch in replies)


async def test_a_failure_of_one_sender_fails_only_their_request(
    world: ConsoleWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fan(world, "bob")
    users = world.app.stores.users
    real = users.get_or_create

    async def flaky(platform: str, platform_user_id: str, name: str, at: datetime) -> User:
        if platform_user_id == "mallory":
            raise RuntimeError("the users table is having a bad day")
        return await real(platform, platform_user_id, name, at)

    monkeypatch.setattr(users, "get_or_create", flaky)
    song = world.songs.open_song
    replies = await _at_once(world, [
        ("bob", f'cover "{song}" style:lofi length:10'),
        ("mallory", f'cover "{song}" style:lofi length:10'),
    ])  # fmt: skip
    assert [r.code for r in replies] == ["QUEUED", "INTERNAL"]
    assert "incident" in replies[1].text and "nothing was charged" in replies[1].text
