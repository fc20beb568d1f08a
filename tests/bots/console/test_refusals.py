"""Every refusal a fan can meet, reached through the console adapter.

Each test types what a person would type and checks the code and the words
they see. The catalog is the demo catalog's rights data (no audio needed to
decide entitlements).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

from bots.console import ConsoleSession
from core.chat.messages import Reply, ReplyKind
from core.entitlements import DenyCode
from core.model import OptDeclaration, SubjectKind
from core.ports import CatalogBatch
from tests.support.world import ConsoleWorld


async def say(session: ConsoleSession, line: str) -> Reply:
    replies = await session.send(line)
    assert len(replies) == 1, replies
    return replies[0]


async def fan(world: ConsoleWorld, name: str, *, accept: bool = True) -> ConsoleSession:
    session = world.session(name)
    if accept:
        reply = await say(session, "terms accept")
        assert reply.code == "TERMS_ACCEPTED"
    return session


async def test_terms_must_be_accepted_first(world: ConsoleWorld) -> None:
    alice = await fan(world, "alice", accept=False)
    reply = await say(alice, f'cover "{world.songs.open_song}" style:lofi')
    assert reply.code == "TERMS_NOT_ACCEPTED"
    assert "terms accept" in reply.text
    assert any(b.command == "terms accept" for b in reply.buttons)
    assert (await say(alice, "terms accept")).code == "TERMS_ACCEPTED"
    granted = await say(alice, f'cover "{world.songs.open_song}" style:lofi')
    assert granted.kind is ReplyKind.QUEUED, granted.text


async def test_granted_cover_is_queued_with_place_in_line(world: ConsoleWorld) -> None:
    bob = await fan(world, "bob")
    reply = await say(bob, f"cover {world.songs.open_song} in the style of synthwave length:10")
    assert reply.code == "QUEUED"
    assert world.songs.open_song in reply.text and "Synthwave" in reply.text
    assert "1st in line" in reply.text


async def test_same_message_twice_is_one_request(world: ConsoleWorld) -> None:
    bob = await fan(world, "bob")
    invocation = bob.invocation(f'cover "{world.songs.open_song}" style:lofi length:10')
    first = (await world.app.handler.handle(invocation))[0]
    again = (await world.app.handler.handle(invocation))[0]
    assert first.request_id == again.request_id
    assert "Already on it" in again.text
    quota = await say(bob, "quota")
    assert "10 of 60" in quota.text


async def test_transformation_not_licensed(world: ConsoleWorld) -> None:
    bob = await fan(world, "bob")
    reply = await say(bob, f'remix "{world.songs.cover_only_song}" style:lofi')
    assert reply.code == "TRANSFORMATION_NOT_LICENSED"
    assert world.songs.cover_only_song in reply.text
    assert "remix" in reply.text.lower()


async def test_style_not_licensed_lists_allowed(world: ConsoleWorld) -> None:
    song, allowed, forbidden = world.restricted_style_song()
    bob = await fan(world, "bob")
    reply = await say(bob, f'cover "{song}" style:{forbidden}')
    assert reply.code == "STYLE_NOT_LICENSED"
    assert song in reply.text
    assert any(style in reply.text for style in allowed)


async def test_voice_revoked(world: ConsoleWorld) -> None:
    dave = await fan(world, "dave")
    reply = await say(dave, f'cover "{world.songs.open_song}" voice:"{world.songs.revoked_voice}"')
    assert reply.code == "VOICE_REVOKED"
    assert world.songs.revoked_voice in reply.text


async def test_voice_not_consented_for_song(world: ConsoleWorld) -> None:
    assert world.songs.active_voice is not None
    song = world.song_without_voice(world.songs.active_voice)
    dave = await fan(world, "dave")
    reply = await say(dave, f'cover "{song}" voice:"{world.songs.active_voice}"')
    assert reply.code in ("VOICE_NOT_CONSENTED", "TRANSFORMATION_NOT_LICENSED")
    assert song in reply.text


async def test_unknown_voice(world: ConsoleWorld) -> None:
    dave = await fan(world, "dave")
    reply = await say(dave, f'cover "{world.songs.open_song}" voice:"Nobody Atall"')
    assert reply.code == "VOICE_UNKNOWN"
    assert "Nobody Atall" in reply.text


async def test_work_opted_out_refuses_at_once(world: ConsoleWorld) -> None:
    """Opt-out applies to requests already in flight (the index may still list it)."""
    recording = world.recording_titled(world.songs.open_song)
    await world.app.stores.catalog.add_opt_declaration(
        OptDeclaration(
            subject_kind=SubjectKind.WORK,
            subject_id=recording.work_id,
            party_id=world.batch.parties[0].id,
            opted_in=False,
            declared_at=world.clock.now(),
        )
    )
    bob = await fan(world, "bob")
    reply = await say(bob, f'cover "{world.songs.open_song}" style:lofi')
    assert reply.code == "WORK_OPTED_OUT"
    assert world.songs.open_song in reply.text


async def test_opted_out_demo_work_is_not_searchable(world: ConsoleWorld) -> None:
    title = world.opted_out_title()
    bob = await fan(world, "bob")
    reply = await say(bob, f'cover "{title}" style:lofi')
    assert reply.code in ("SONG_UNKNOWN", "WORK_OPTED_OUT")
    assert title not in [hit.title for hit in world.app.search(title, limit=10)]


async def test_territory_then_country_setting(world: ConsoleWorld) -> None:
    carol = await fan(world, "carol")
    line = f'cover "{world.songs.regional_song}" style:acoustic length:10'
    refused = await say(carol, line)
    assert refused.code == "TERRITORY"
    assert "settings country" in refused.text
    assert (await say(carol, "settings country DE")).code == "COUNTRY_SET"
    assert (await say(carol, line)).code == "QUEUED"
    assert (await say(carol, "settings country US")).code == "COUNTRY_SET"
    elsewhere = await say(carol, line.replace("length:10", "length:11"))
    assert elsewhere.code == "TERRITORY"
    assert "US" in elsewhere.text


async def test_clip_too_long_for_tier(world: ConsoleWorld) -> None:
    bob = await fan(world, "bob")
    reply = await say(bob, f'cover "{world.songs.open_song}" style:lofi length:90')
    assert reply.code == "CLIP_TOO_LONG"
    assert "30" in reply.text


async def test_a_length_past_the_end_of_the_song_is_answered_with_what_was_asked(
    world: ConsoleWorld,
) -> None:
    """length:90 for a 36-s song: the fan hears about their 90 s and the song's 36 s."""
    song = world.recording_titled(world.songs.open_song)
    bob = await fan(world, "bob")
    reply = await say(bob, f'cover "{song.title}" style:lofi length:90')
    assert reply.code == "CLIP_TOO_LONG"
    assert "you asked for 90 s" in reply.text and f"{song.duration_s:.0f} s long" in reply.text
    assert "you asked for 36 s" not in reply.text and "length:30" in reply.text
    dana = await fan(world, "dana")
    user = await world.app.stores.users.find("console", "dana")
    assert user is not None
    await world.app.stores.users.set_tier(user.id, "pro")
    queued = await say(dana, f'cover "{song.title}" style:lofi length:90')
    assert queued.code == "QUEUED", queued.text
    assert f"{song.duration_s:.0f} s (the whole song; you asked for 90 s)" in queued.text


async def test_user_quota_runs_out_and_says_when_it_resets(world: ConsoleWorld) -> None:
    carol = await fan(world, "carol")
    song = world.songs.open_song
    assert (await say(carol, f'cover "{song}" style:lofi length:30')).code == "QUEUED"
    assert (await say(carol, f'cover "{song}" style:acoustic length:30')).code == "QUEUED"
    reply = await say(carol, f'cover "{song}" style:8-bit length:10')
    assert reply.code == "USER_QUOTA_EXHAUSTED"
    assert "UTC" in reply.text


async def test_cancel_refunds_quota(world: ConsoleWorld) -> None:
    carol = await fan(world, "carol")
    queued = await say(carol, f'cover "{world.songs.open_song}" style:lofi length:30')
    assert queued.request_id is not None
    cancel_line = queued.buttons[0].command
    cancelled = await say(carol, cancel_line)
    assert cancelled.code == "CANCELLED"
    assert "0 of 60" in (await say(carol, "quota")).text
    again = await say(carol, cancel_line)
    assert again.code == "CANCEL_REFUSED" and "already cancelled" in again.text
    short = cancel_line.split()[-1]
    assert "cancelled" in (await say(carol, f"status {short}")).text
    other = await fan(world, "bob")
    assert (await say(other, f"status {short}")).code == "REQUEST_UNKNOWN"  # not theirs


async def test_server_pool_exhausted(world: ConsoleWorld) -> None:
    mod = world.session("mod", moderator=True)
    assert (await say(mod, "settings pool 40")).code == "SETTING_CHANGED"
    a, b = await fan(world, "alice"), await fan(world, "bob")
    song = world.songs.open_song
    assert (await say(a, f'cover "{song}" style:lofi length:30')).code == "QUEUED"
    reply = await say(b, f'cover "{song}" style:lofi length:20')
    assert reply.code == "SERVER_POOL_EXHAUSTED"
    assert "server" in reply.text.lower()


async def test_member_limit_exhausted_and_refunded_on_cancel(world: ConsoleWorld) -> None:
    mod = world.session("mod", moderator=True)
    assert (await say(mod, "settings user-limit 20")).code == "SETTING_CHANGED"
    alice, bob = await fan(world, "alice"), await fan(world, "bob")
    song = world.songs.open_song
    queued = await say(alice, f'cover "{song}" style:lofi length:15')
    assert queued.code == "QUEUED"
    assert "each member render 20 s a day: 15 s used" in (await say(alice, "quota")).text
    reply = await say(alice, f'cover "{song}" style:acoustic length:10')
    assert reply.code == "MEMBER_LIMIT_EXHAUSTED"
    assert "20 s a day" in reply.text and "length:5" in reply.text and "UTC" in reply.text
    assert (await say(bob, f'cover "{song}" style:acoustic length:10')).code == "QUEUED"
    assert (await say(alice, queued.buttons[0].command)).code == "CANCELLED"
    assert (await say(alice, f'cover "{song}" style:acoustic length:20')).code == "QUEUED"


async def test_nsfw_filter_refuses_songs_marked_explicit_and_says_why(world: ConsoleWorld) -> None:
    song = world.songs.open_song
    recording = next(r for r in world.batch.recordings if r.title == song)
    # The label re-delivers the recording with its explicit flag (an upsert of the row).
    await world.app.stores.catalog.import_batch(
        CatalogBatch(recordings=[dataclasses.replace(recording, explicit=True)]), world.clock.now()
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


async def test_channel_not_allowed(world: ConsoleWorld) -> None:
    mod = world.session("mod", moderator=True)
    assert (await say(mod, "settings channels #covers")).code == "SETTING_CHANGED"
    bob = await fan(world, "bob")
    reply = await say(bob, f'cover "{world.songs.open_song}" style:lofi length:5')
    assert reply.code == "CHANNEL_NOT_ALLOWED"
    assert "covers" in reply.text
    in_covers = world.session("bob", channel="covers")
    assert (await say(in_covers, f'cover "{world.songs.open_song}" style:lofi length:5')).code == "QUEUED"


async def test_style_disabled_by_moderator(world: ConsoleWorld) -> None:
    mod = world.session("mod", moderator=True)
    assert (await say(mod, "settings disable-style synthwave")).code == "SETTING_CHANGED"
    bob = await fan(world, "bob")
    reply = await say(bob, f'cover "{world.songs.open_song}" style:synthwave length:5')
    assert reply.code == "STYLE_DISABLED_BY_SERVER"
    assert "synthwave" in reply.text.lower()
    styles = await say(bob, f'styles "{world.songs.open_song}"')
    assert "synthwave" not in styles.text and "lofi" in styles.text


async def test_banned_user(world: ConsoleWorld) -> None:
    erin = await fan(world, "erin")
    mod = world.session("mod", moderator=True)
    assert (await say(mod, "settings ban @erin")).code == "SETTING_CHANGED"
    reply = await say(erin, f'cover "{world.songs.open_song}" style:lofi')
    assert reply.code == "USER_BANNED"
    assert (await say(mod, "settings unban @erin")).code == "SETTING_CHANGED"
    assert (await say(erin, f'cover "{world.songs.open_song}" style:lofi length:5')).code == "QUEUED"


async def test_cooldown(world: ConsoleWorld) -> None:
    mod = world.session("mod", moderator=True)
    assert (await say(mod, "settings cooldown 120")).code == "SETTING_CHANGED"
    dave = await fan(world, "dave")
    song = world.songs.open_song
    assert (await say(dave, f'cover "{song}" style:lofi length:5')).code == "QUEUED"
    reply = await say(dave, f'cover "{song}" style:acoustic length:5')
    assert reply.code == "COOLDOWN"
    world.clock.advance(timedelta(seconds=121))
    assert (await say(dave, f'cover "{song}" style:acoustic length:5')).code == "QUEUED"


async def test_non_moderator_cannot_change_settings_and_audit_records_changes(
    world: ConsoleWorld,
) -> None:
    bob = await fan(world, "bob")
    refused = await say(bob, "settings cooldown 5")
    assert refused.code == "NOT_MODERATOR"
    mod = world.session("mod", moderator=True)
    await say(mod, "settings cooldown 30")
    await say(mod, "settings disable-style lofi")
    log = await say(mod, "audit")
    assert "mod" in log.text and "cooldown" in log.text and "Lo-fi style disabled" in log.text
    assert (await say(bob, "audit")).code == "NOT_MODERATOR"


async def test_missing_style_asks_with_options(world: ConsoleWorld) -> None:
    bob = await fan(world, "bob")
    reply = await say(bob, f'cover "{world.songs.open_song}"')
    assert reply.code == "NEEDS_STYLE"
    assert "lofi" in reply.text and reply.buttons


async def test_unknown_song_suggests(world: ConsoleWorld) -> None:
    bob = await fan(world, "bob")
    typo = world.songs.open_song[:-1] + "x"
    reply = await say(bob, f'cover "{typo}zzzz qq" style:lofi')
    assert reply.code in ("SONG_UNKNOWN", "QUEUED")
    nothing = await say(bob, "cover Qwxyz Plmko style:lofi")
    assert nothing.code == "SONG_UNKNOWN"
    assert "couldn't find" in nothing.text


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\x00\x01binary\x02", "x" * 5000, "covr Golden Hour", "cover"],
)
async def test_bad_command_text_gets_a_clear_error(world: ConsoleWorld, text: str) -> None:
    bob = await fan(world, "bob")
    reply = await say(bob, text)
    assert reply.kind is ReplyKind.ERROR
    assert reply.text and len(reply.text) < 600


async def test_queue_down_keeps_request(world: ConsoleWorld) -> None:
    world.queue.down = True
    bob = await fan(world, "bob")
    reply = await say(bob, f'cover "{world.songs.open_song}" style:lofi length:5')
    assert reply.code == "QUEUED" and "unreachable" in reply.text
    assert reply.request_id is not None
    stored = await world.app.stores.requests.get(reply.request_id)
    assert stored is not None and stored.state.value == "QUEUED"
    world.queue.down = False
    assert await world.app.requests.recover() >= 1
    assert await world.queue.position(reply.request_id) == 1



async def test_voice_cover_is_queued_when_the_voice_backend_runs(world: ConsoleWorld) -> None:
    assert world.songs.active_voice and world.songs.voice_song
    dave = await fan(world, "dave")
    reply = await say(dave, f'cover "{world.songs.voice_song}" voice:"{world.songs.active_voice}"')
    assert reply.code == "QUEUED", reply.text


async def test_voice_cover_is_refused_while_no_voice_backend(
    world: ConsoleWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert world.songs.active_voice and world.songs.voice_song
    monkeypatch.setattr(world.app.requests, "_voice_conversion", False)  # e.g. pyworld missing
    dave = await fan(world, "dave")
    reply = await say(dave, f'cover "{world.songs.voice_song}" voice:"{world.songs.active_voice}"')
    assert reply.code == "VOICE_UNAVAILABLE"
    assert "nothing was queued or charged" in reply.text
    assert "0 of 60" in (await say(dave, "quota")).text


async def test_expired_license_is_not_licensed(world: ConsoleWorld) -> None:
    recording = world.recording_titled(world.songs.open_song)
    current = await world.app.stores.catalog.current_license(recording.id)
    assert current is not None
    expired = dataclasses.replace(current.terms, valid_to=world.clock.now() - timedelta(days=1))
    await world.app.stores.catalog.add_license_version(recording.id, expired, world.clock.now())
    bob = await fan(world, "bob")
    reply = await say(bob, f'cover "{world.songs.open_song}" style:lofi length:5')
    assert reply.code == "NOT_LICENSED"
    assert world.songs.open_song in reply.text


async def test_voice_switched_off_by_moderators(world: ConsoleWorld) -> None:
    assert world.songs.voice_song and world.songs.active_voice
    mod = world.session("mod", moderator=True)
    assert (await say(mod, "settings voices none")).code == "SETTING_CHANGED"
    dave = await fan(world, "dave")
    reply = await say(dave, f'cover "{world.songs.voice_song}" voice:"{world.songs.active_voice}"')
    assert reply.code == "VOICE_NOT_CONSENTED"
    assert world.songs.active_voice in reply.text


def test_every_deny_code_is_reached_here() -> None:
    """Each refusal a user can meet has a console test in this file."""
    source = Path(__file__).read_text(encoding="utf-8")
    missing = [code.value for code in DenyCode if f'"{code.value}"' not in source]
    assert not missing, f"no console test reaches {missing}"
