"""Moderation through the console: audited before → after, the report queue."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from bots.console import ConsoleSession
from core.chat.messages import Invocation, Reply
from core.model import Clip, RequestState
from tests.bots.console.test_refusals import fan, say
from tests.support.world import ConsoleWorld


async def test_every_settings_change_is_audited_from_before_to_after(world: ConsoleWorld) -> None:
    mod = world.session("mod", moderator=True)
    for line in (
        "settings cooldown 120",
        "settings cooldown off",
        "settings user-limit 300",
        "settings pool 3600",
        "settings disable-style synthwave",
        "settings server-country DE",
        "settings nsfw-filter on",
    ):
        assert (await say(mod, line)).code == "SETTING_CHANGED", line
    await fan(world, "erin")
    assert (await say(mod, "settings ban @erin")).code == "SETTING_CHANGED"
    log = (await say(mod, "audit")).text
    for change in (
        "(cooldown: 0 s → 120 s)",
        "(cooldown: 120 s → 0 s)",
        "(per-member limit: off → 300 s/day)",
        "(shared pool: off → 3600 s/day)",
        "(server country: not set → DE)",
        "(NSFW filter: off → on)",
        "(banned users: 0 → 1)",
    ):
        assert change in log, change
    assert "Synthwave style disabled (styles: all → " in log
    again = await say(mod, "settings user-limit 300")
    assert again.code == "SETTING_CHANGED"
    assert "(per-member limit: 300 s/day → 300 s/day (unchanged))" in (await say(mod, "audit 1")).text
    shown = (await say(mod, "settings")).text
    assert "• per-member limit: 300 s/day" in shown and "• NSFW filter: on" in shown


async def _delivered_clip(world: ConsoleWorld, queued: Reply) -> Clip:
    """What the render worker would leave behind: a clip and a DELIVERED request."""
    assert queued.request_id is not None
    stores = world.app.stores
    request = await stores.requests.get(queued.request_id)
    assert request is not None
    clip = Clip(
        id=f"clip-{request.id}", request_id=request.id, recording_id=request.recording_id,
        transformation=request.transformation, style=request.style, voice_model_id=None,
        license_id=request.license_id, license_version=request.license_version,
        requester_id=request.user_id, audio_sha256="c" * 64, duration_s=request.seconds,
        watermark_token=None, created_at=world.clock.now(),
    )
    await stores.clips.add(clip)
    done = await stores.requests.transition(
        request.id, frozenset({RequestState.QUEUED}), RequestState.DELIVERED, world.clock.now(),
        clip_id=clip.id,
    )
    assert done is not None
    return clip


async def test_report_queue_from_report_to_resolve(world: ConsoleWorld) -> None:
    bob = await fan(world, "bob")
    queued = await say(bob, f'cover "{world.songs.open_song}" style:lofi length:5')
    clip = await _delivered_clip(world, queued)
    request_short = queued.buttons[0].command.split()[-1]

    eve = await fan(world, "eve")
    unknown = await say(eve, "report 00000000 spam")
    assert unknown.code == "REPORT_TARGET_UNKNOWN" and "Report button" in unknown.text
    first = await say(eve, f"report {request_short} wrong artist name")
    assert first.code == "REPORTED" and "moderators of this server" in first.text
    twice = await say(eve, f"report {clip.id} still wrong")
    assert twice.code == "REPORTED" and "already reported" in twice.text
    second = await say(bob, f'report {clip.id} "too loud"')
    assert second.code == "REPORTED"

    assert (await say(eve, "reports")).code == "NOT_MODERATOR"
    assert (await say(eve, "resolve 1a2b3c4d")).code == "NOT_MODERATOR"
    mod = world.session("mod", moderator=True)
    listing = await say(mod, "reports")
    assert listing.code == "REPORTS"
    lines = listing.text.splitlines()[1:]
    assert len(lines) == 2
    assert "bob" in lines[0] and "too loud" in lines[0]  # newest first
    assert "eve" in lines[1] and "wrong artist name" in lines[1]
    assert world.songs.open_song in lines[1]
    report_short = lines[1].split("`")[1]

    assert (await say(mod, "resolve ffffffff")).code == "REPORT_UNKNOWN"
    resolved = await say(mod, f"resolve {report_short.upper()} artist credit is right")
    assert resolved.code == "REPORT_RESOLVED"
    again = await say(mod, f"resolve {report_short}")
    assert again.code == "REPORT_ALREADY_RESOLVED"
    remaining = (await say(mod, "reports")).text
    assert "too loud" in remaining and "wrong artist name" not in remaining

    log = (await say(mod, "audit")).text
    assert f"resolved report `{report_short}`" in log and "artist credit is right" in log
    # the reporter's words stay erasable: the append-only audit log never repeats them
    assert "eve: reported clip" in log and "wrong artist name" not in log

    other_server = ConsoleSession(world.app.handler.handle, "mod2", "elsewhere", moderator=True)
    assert (await say(other_server, "reports")).code == "NO_REPORTS"


BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


async def test_bidirectional_controls_from_users_are_never_echoed(world: ConsoleWorld) -> None:
    """U+202E and friends would flip how a moderator reads a reply (Trojan-source style)."""
    replies: list[Reply] = []

    async def said(session: ConsoleSession, line: str) -> Reply:
        reply = await say(session, line)
        replies.append(reply)
        return reply

    mallory = ConsoleSession(world.app.handler.handle, "mallory", "testguild")
    mallory.invocation = _renamed(mallory.invocation, "mal\u202elory")  # type: ignore[method-assign]
    assert (await said(mallory, "terms accept")).code == "TERMS_ACCEPTED"
    unknown = await said(mallory, 'cover "\u202enos gnos\u2066 \u200f" style:lofi')
    assert unknown.code == "SONG_UNKNOWN" and "nos gnos" in unknown.text
    song = world.songs.open_song
    queued = await said(mallory, f'cover "{song[:3]}\u202e{song[3:]}" style:lofi length:5')
    assert queued.code == "QUEUED" and song in queued.text
    clip = await _delivered_clip(world, queued)
    reason = "\u202etxet\u202c looks \u2067fine\u2069 \u061cto\u200e me"
    assert (await said(mallory, f"report {clip.id} {reason}")).code == "REPORTED"

    mod = world.session("mod", moderator=True)
    listing = await said(mod, "reports")
    assert "txet looks fine to me" in listing.text and "mallory" in listing.text
    report_short = listing.text.splitlines()[1].split("`")[1]
    await said(mod, f"resolve {report_short} \u202edone\u202c")
    await said(mod, "audit")
    assert len(replies) == 7
    for reply in replies:
        assert not set(reply.text) & set(BIDI_CONTROLS), reply.text
        assert all(not set(b.command + b.label) & set(BIDI_CONTROLS) for b in reply.buttons)


def _renamed(make: Callable[[str], Invocation], name: str) -> Callable[[str], Invocation]:
    """The session's invocations with a display name the user chose (platforms allow anything)."""
    return lambda text: dataclasses.replace(make(text), user_name=name)
