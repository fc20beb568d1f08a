"""Moderation through the console: audited before → after, the NSFW switch, the report queue."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bots.console import ConsoleSession
from core.chat.messages import Reply
from core.model import Clip, RequestState
from core.ports import CatalogBatch
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


async def test_nsfw_filter_refuses_songs_marked_explicit_and_says_why(world: ConsoleWorld) -> None:
    song = world.songs.open_song
    recording = next(r for r in world.batch.recordings if r.title == song)
    # The label re-delivers the recording with its explicit flag (an upsert of the row).
    await world.app.stores.catalog.import_batch(
        CatalogBatch(recordings=[replace(recording, explicit=True)]), world.clock.now()
    )
    mod = world.session("mod", moderator=True)
    bob = await fan(world, "bob")
    assert (await say(bob, f'cover "{song}" style:lofi length:10')).code == "QUEUED"  # filter off

    on = await say(mod, "settings nsfw-filter on")
    assert on.code == "SETTING_CHANGED" and on.text.startswith("Done: NSFW filter on.")
    assert "marks explicit are refused" in on.text and "no free-text prompts" in on.text
    assert (await say(bob, "settings nsfw-filter off")).code == "NOT_MODERATOR"
    policy = await world.app.stores.policies.get("console:testguild")
    assert policy.nsfw_filter is True

    world.clock.advance(timedelta(minutes=5))
    refused = await say(bob, f'cover "{song}" style:lofi length:10 take:2')
    assert refused.code == "EXPLICIT_FILTERED"
    assert f"*{song}* is marked explicit" in refused.text and "filter" in refused.text
    clean = world.songs.cover_only_song
    assert (await say(bob, f'cover "{clean}" style:lofi length:10')).code == "QUEUED"
    # moderators are filtered like everyone else
    await say(mod, "terms accept")
    assert (await say(mod, f'cover "{song}" style:lofi length:10')).code == "EXPLICIT_FILTERED"

    off = await say(mod, "settings nsfw off")
    assert off.text.startswith("Done: NSFW filter off.")
    world.clock.advance(timedelta(minutes=5))
    assert (await say(bob, f'cover "{song}" style:acoustic length:10')).code == "QUEUED"


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
