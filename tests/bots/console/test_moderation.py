"""Moderation through the console: audited before → after, the report queue."""

from __future__ import annotations

from bots.console import ConsoleSession
from core.chat.messages import Reply
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
