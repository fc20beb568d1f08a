"""Every refusal, reached on purpose: the exact code, the song named, the next step given."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from core.entitlements import DEFAULT_TIERS, Denied, DenyCode, EntitlementContext, Granted, check
from core.model import OptDeclaration, SubjectKind, Transformation
from core.ports import Reservation
from tests.core.entitlements.golden_hour import (
    ADA_NOVA,
    BEN_LARK,
    LICENSE,
    NOW,
    POLICY,
    USER,
    context,
    opt_in,
    shown,
    terms,
)

MIDNIGHT = datetime(2026, 11, 29, tzinfo=UTC)


def refused(ctx: EntitlementContext, code: DenyCode) -> str:
    decision = check(ctx)
    assert isinstance(decision, Denied), decision
    assert decision.code is code, decision
    assert decision.message
    return shown(decision)


def test_base_request_is_granted_with_user_reservation() -> None:
    decision = check(context())
    assert decision == Granted(
        seconds=20,
        max_seconds=30,
        reservations=(Reservation("user:user-alice", 20, 60, MIDNIGHT - timedelta(days=1)),),
        priority=0,
    )


def test_grant_reserves_the_server_pool_too() -> None:
    policy = dataclasses.replace(POLICY, pool_seconds_per_day=300)
    decision = check(context(policy=policy, pool_used_seconds=100, tier=DEFAULT_TIERS["fan"]))
    assert isinstance(decision, Granted)
    day = datetime(2026, 11, 28, tzinfo=UTC)
    assert decision.reservations == (
        Reservation("user:user-alice", 20, 600, day),
        Reservation("pool:console:testguild", 20, 300, day),
    )
    assert decision.priority == 1
    assert decision.max_seconds == 45  # the license's limit for fans, under the tier's 60


def test_banned_user() -> None:
    policy = dataclasses.replace(POLICY, banned_users=frozenset({USER.id}))
    text = refused(context(policy=policy), DenyCode.USER_BANNED)
    assert "moderator" in text


@pytest.mark.parametrize("accepted", [None, "2026-01"])
def test_terms_not_accepted(accepted: str | None) -> None:
    user = dataclasses.replace(USER, terms_version=accepted)
    text = refused(context(user=user), DenyCode.TERMS_NOT_ACCEPTED)
    assert "`terms accept`" in text and "`terms`" in text


def test_terms_first_time_wording() -> None:
    user = dataclasses.replace(USER, terms_version=None)
    text = refused(context(user=user), DenyCode.TERMS_NOT_ACCEPTED)
    first_time = "Before your first cover, please read the terms (`terms`) and type `terms accept`"
    assert first_time in text


def test_channel_not_allowed_names_the_channels() -> None:
    policy = dataclasses.replace(POLICY, allowed_channels=frozenset({"covers", "music"}))
    text = refused(context(policy=policy), DenyCode.CHANNEL_NOT_ALLOWED)
    assert "#covers" in text and "#music" in text
    assert isinstance(check(context(policy=policy, channel_id="covers")), Granted)


def test_explicit_song_is_refused_only_where_the_filter_is_on() -> None:
    explicit = dataclasses.replace(context().recording, explicit=True)
    filtered = dataclasses.replace(POLICY, nsfw_filter=True)
    text = refused(context(policy=filtered, recording=explicit), DenyCode.EXPLICIT_FILTERED)
    assert "*Golden Hour* is marked explicit" in text and "another song" in text
    assert isinstance(check(context(recording=explicit)), Granted)  # filter off
    assert isinstance(check(context(policy=filtered)), Granted)  # song not explicit
    moderator = context(policy=filtered, recording=explicit, is_moderator=True)
    refused(moderator, DenyCode.EXPLICIT_FILTERED)


def test_opted_out_work() -> None:
    opt = OptDeclaration(SubjectKind.WORK, "work-golden", "party-indie", opted_in=False)
    text = refused(context(opt=opt), DenyCode.WORK_OPTED_OUT)
    assert "Golden Hour" in text and "another song" in text


@pytest.mark.parametrize(
    "license_",
    [
        None,
        dataclasses.replace(LICENSE, revoked_at=NOW - timedelta(hours=1)),
        terms(valid_to=NOW - timedelta(days=1)),
        terms(valid_from=NOW + timedelta(days=1)),
    ],
    ids=["missing", "revoked", "expired", "not-yet-valid"],
)
def test_not_licensed(license_: object) -> None:
    text = refused(context(license=license_), DenyCode.NOT_LICENSED)
    assert "Golden Hour" in text and "another song" in text


def test_territory_names_the_country() -> None:
    license_ = terms(territories=frozenset({"AT", "CH"}))
    text = refused(context(license=license_), DenyCode.TERRITORY)
    assert "Golden Hour" in text and "DE" in text and "AT" in text


def test_territory_unknown_country_asks_for_it() -> None:
    license_ = terms(territories=frozenset({"DE"}))
    text = refused(context(license=license_, territory="WW"), DenyCode.TERRITORY)
    assert "Golden Hour" in text and "settings country" in text
    assert isinstance(check(context(license=license_)), Granted)


def test_opt_in_can_narrow_territories() -> None:
    text = refused(context(opt=opt_in(territories=frozenset({"FR"}))), DenyCode.TERRITORY)
    assert "DE" in text


def test_transformation_not_licensed() -> None:
    ctx = context(transformation=Transformation.REMIX)
    text = refused(ctx, DenyCode.TRANSFORMATION_NOT_LICENSED)
    assert "Golden Hour" in text and "remix" in text.lower()
    assert "`styles Golden Hour`" in text


def test_opt_in_can_narrow_transformations() -> None:
    ctx = context(opt=opt_in(transformations=frozenset({Transformation.REMIX})))
    text = refused(ctx, DenyCode.TRANSFORMATION_NOT_LICENSED)
    assert "cover" in text.lower()


def voice_cover(voice: str, model: object) -> EntitlementContext:
    return context(
        transformation=Transformation.VOICE_SWAP,
        style="original",
        requested_voice=voice,
        voice_model=model,
    )


def test_voice_unknown_quotes_the_name() -> None:
    text = refused(voice_cover("Nobody Atall", None), DenyCode.VOICE_UNKNOWN)
    assert "Nobody Atall" in text and "voices" in text


def test_voice_revoked() -> None:
    text = refused(voice_cover("Ada Nova", ADA_NOVA), DenyCode.VOICE_REVOKED)
    assert "Ada Nova" in text and "voices" in text


def test_voice_not_in_license() -> None:
    ctx = dataclasses.replace(
        voice_cover("Ben Lark", BEN_LARK), license=terms(voice_models=frozenset({ADA_NOVA.id}))
    )
    text = refused(ctx, DenyCode.VOICE_NOT_CONSENTED)
    assert "Ben Lark" in text and "Golden Hour" in text and "voices" in text


def test_voice_not_allowed_by_server() -> None:
    policy = dataclasses.replace(POLICY, allowed_voices=frozenset({"Someone Else"}))
    ctx = dataclasses.replace(voice_cover("Ben Lark", BEN_LARK), policy=policy)
    text = refused(ctx, DenyCode.VOICE_NOT_CONSENTED)
    assert "Ben Lark" in text


def test_consented_voice_cover_is_granted() -> None:
    assert isinstance(check(voice_cover("Ben Lark", BEN_LARK)), Granted)


def test_style_not_licensed_lists_the_allowed_styles() -> None:
    text = refused(context(style="8-bit"), DenyCode.STYLE_NOT_LICENSED)
    assert "Golden Hour" in text and "8-bit" in text
    assert "lofi" in text and "synthwave" in text


def test_opt_in_can_narrow_styles() -> None:
    ctx = context(opt=opt_in(styles=frozenset({"synthwave"})))
    text = refused(ctx, DenyCode.STYLE_NOT_LICENSED)
    assert "synthwave" in text


def test_style_disabled_by_server_lists_what_is_enabled() -> None:
    policy = dataclasses.replace(POLICY, allowed_styles=frozenset({"synthwave", "acoustic"}))
    text = refused(context(policy=policy), DenyCode.STYLE_DISABLED_BY_SERVER)
    assert "lo-fi" in text.lower() or "lofi" in text
    assert "synthwave" in text


def test_clip_too_long_for_the_tier() -> None:
    text = refused(context(seconds=45), DenyCode.CLIP_TOO_LONG)
    assert "30" in text and "length:30" in text


def test_clip_too_long_for_the_license() -> None:
    ctx = context(seconds=50, tier=DEFAULT_TIERS["fan"])
    text = refused(ctx, DenyCode.CLIP_TOO_LONG)
    assert "45" in text and "length:45" in text


def test_clip_too_long_for_the_server() -> None:
    policy = dataclasses.replace(POLICY, max_clip_seconds=15)
    text = refused(context(policy=policy), DenyCode.CLIP_TOO_LONG)
    assert "15" in text and "length:15" in text


def test_cooldown_says_when() -> None:
    policy = dataclasses.replace(POLICY, cooldown_s=120)
    ctx = context(policy=policy, last_request_at=NOW - timedelta(seconds=30))
    decision = check(ctx)
    assert isinstance(decision, Denied) and decision.code is DenyCode.COOLDOWN
    assert decision.retry_at == NOW + timedelta(seconds=90)
    assert "90 s" in shown(decision) or "1 min 30 s" in shown(decision)


def test_moderators_skip_the_cooldown_only() -> None:
    policy = dataclasses.replace(POLICY, cooldown_s=120)
    ctx = context(policy=policy, last_request_at=NOW, is_moderator=True)
    assert isinstance(check(ctx), Granted)
    channels = dataclasses.replace(policy, allowed_channels=frozenset({"covers"}))
    refused(dataclasses.replace(ctx, policy=channels), DenyCode.CHANNEL_NOT_ALLOWED)


def test_user_quota_exhausted_says_when_it_resets() -> None:
    decision = check(context(user_used_seconds=50))
    assert isinstance(decision, Denied) and decision.code is DenyCode.USER_QUOTA_EXHAUSTED
    assert decision.retry_at == MIDNIGHT
    assert "00:00 UTC" in shown(decision) and "length:10" in shown(decision)


def test_exact_fit_uses_the_last_second() -> None:
    assert isinstance(check(context(user_used_seconds=40)), Granted)


def test_server_pool_exhausted() -> None:
    policy = dataclasses.replace(POLICY, pool_seconds_per_day=100)
    decision = check(context(policy=policy, pool_used_seconds=90))
    assert isinstance(decision, Denied) and decision.code is DenyCode.SERVER_POOL_EXHAUSTED
    assert decision.retry_at == MIDNIGHT
    assert "server" in shown(decision).lower() and "00:00 UTC" in shown(decision)


def test_member_limit_exhausted_names_the_server_rule_and_the_reset() -> None:
    policy = dataclasses.replace(POLICY, user_seconds_per_day=50)
    decision = check(context(policy=policy, member_used_seconds=40))
    assert isinstance(decision, Denied) and decision.code is DenyCode.MEMBER_LIMIT_EXHAUSTED
    assert decision.retry_at == MIDNIGHT
    text = shown(decision)
    assert "each member" in text and "50 s a day" in text and "10 s left" in text
    assert "length:10" in text and "00:00 UTC" in text and "settings user-limit" in text


def test_member_limit_used_up_says_to_wait() -> None:
    policy = dataclasses.replace(POLICY, user_seconds_per_day=30)
    text = refused(context(policy=policy, member_used_seconds=30), DenyCode.MEMBER_LIMIT_EXHAUSTED)
    assert "used it all" in text and "length:" not in text


def test_grant_reserves_the_member_limit_on_the_day() -> None:
    policy = dataclasses.replace(POLICY, user_seconds_per_day=45, pool_seconds_per_day=300)
    decision = check(
        context(policy=policy, member_used_seconds=25, pool_used_seconds=0,
                tier=DEFAULT_TIERS["fan"])
    )
    assert isinstance(decision, Granted)
    day = datetime(2026, 11, 28, tzinfo=UTC)
    assert decision.reservations == (
        Reservation("user:user-alice", 20, 600, day),
        Reservation("member:console:testguild:user-alice", 20, 45, day),
        Reservation("pool:console:testguild", 20, 300, day),
    )


def test_every_code_is_reached_by_this_file() -> None:
    """A new DenyCode must come with a test here."""
    reached = {
        DenyCode.USER_BANNED, DenyCode.TERMS_NOT_ACCEPTED, DenyCode.CHANNEL_NOT_ALLOWED,
        DenyCode.EXPLICIT_FILTERED, DenyCode.WORK_OPTED_OUT, DenyCode.NOT_LICENSED, DenyCode.TERRITORY,
        DenyCode.TRANSFORMATION_NOT_LICENSED, DenyCode.VOICE_UNKNOWN, DenyCode.VOICE_REVOKED,
        DenyCode.VOICE_NOT_CONSENTED, DenyCode.STYLE_NOT_LICENSED,
        DenyCode.STYLE_DISABLED_BY_SERVER, DenyCode.CLIP_TOO_LONG, DenyCode.COOLDOWN,
        DenyCode.USER_QUOTA_EXHAUSTED, DenyCode.MEMBER_LIMIT_EXHAUSTED,
        DenyCode.SERVER_POOL_EXHAUSTED,
    }
    assert reached == set(DenyCode)
