"""For any context the engine answers without raising, and a grant keeps every limit."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.entitlements import DEFAULT_TIERS, Denied, EntitlementContext, Granted, check
from core.model import WORLDWIDE, OptDeclaration, SubjectKind, Transformation
from tests.core.entitlements.golden_hour import (
    ADA_NOVA,
    BEN_LARK,
    NOW,
    POLICY,
    USER,
    context,
    terms,
)

STYLES = ["lofi", "synthwave", "8-bit", "acoustic", "original"]
COUNTRIES = ["DE", "AT", "US", WORLDWIDE]
maybe_styles = st.none() | st.frozensets(st.sampled_from(STYLES))
maybe_places = st.none() | st.frozensets(st.sampled_from(COUNTRIES), min_size=1)
kinds = st.frozensets(st.sampled_from(list(Transformation)))


@st.composite
def contexts(draw: st.DrawFn) -> EntitlementContext:
    tier = DEFAULT_TIERS[draw(st.sampled_from(sorted(DEFAULT_TIERS)))]
    license_ = draw(
        st.none()
        | st.builds(
            terms,
            transformations=kinds,
            styles=maybe_styles,
            voice_models=st.frozensets(st.sampled_from([ADA_NOVA.id, BEN_LARK.id])),
            max_seconds_by_tier=st.dictionaries(st.sampled_from(sorted(DEFAULT_TIERS)),
                                                st.integers(1, 150)),
            territories=st.frozensets(st.sampled_from(COUNTRIES), min_size=1),
        )
    )
    opt = draw(
        st.none()
        | st.builds(
            OptDeclaration,
            subject_kind=st.just(SubjectKind.WORK),
            subject_id=st.just("work-golden"),
            party_id=st.just("party-indie"),
            opted_in=st.booleans(),
            transformations=st.none() | kinds,
            styles=maybe_styles,
            territories=maybe_places,
        )
    )
    pool = draw(st.none() | st.integers(0, 400))
    policy = dataclasses.replace(
        POLICY,
        allowed_styles=draw(maybe_styles),
        allowed_voices=draw(st.none() | st.just(frozenset({"Ben Lark"}))),
        allowed_channels=draw(st.none() | st.just(frozenset({"covers"}))),
        max_clip_seconds=draw(st.none() | st.integers(1, 150)),
        cooldown_s=draw(st.integers(0, 300)),
        banned_users=draw(st.sampled_from([frozenset(), frozenset({USER.id})])),
        pool_seconds_per_day=pool,
    )
    voice = draw(st.sampled_from([None, "Ada Nova", "Ben Lark", "Nobody Atall"]))
    model = {"Ada Nova": ADA_NOVA, "Ben Lark": BEN_LARK}.get(voice or "")
    last = draw(st.none() | st.integers(0, 600).map(lambda s: NOW - timedelta(seconds=s)))
    return context(
        user=dataclasses.replace(USER, terms_version=draw(st.sampled_from([None, "2026-11"]))),
        tier=tier,
        policy=policy,
        channel_id=draw(st.sampled_from([None, "covers", "general"])),
        is_moderator=draw(st.booleans()),
        license=license_,
        opt=opt,
        voice_model=model,
        requested_voice=voice,
        transformation=draw(st.sampled_from(list(Transformation))),
        style=draw(st.sampled_from(STYLES)),
        seconds=draw(st.integers(1, 150)),
        territory=draw(st.sampled_from(COUNTRIES)),
        user_used_seconds=draw(st.integers(0, 4000)),
        pool_used_seconds=None if pool is None else draw(st.integers(0, 500)),
        last_request_at=last,
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contexts())
def test_check_answers_and_grants_keep_every_limit(ctx: EntitlementContext) -> None:
    decision = check(ctx)
    if isinstance(decision, Denied):
        assert decision.message.strip()
        assert decision.retry_at is None or decision.retry_at.utcoffset() == timedelta(0)
        return
    assert isinstance(decision, Granted)
    assert ctx.license is not None and ctx.license.revoked_at is None
    assert ctx.user.id not in ctx.policy.banned_users
    assert ctx.opt is None or ctx.opt.opted_in
    terms_ = ctx.license.terms
    assert ctx.transformation in terms_.transformations
    assert 1 <= decision.seconds == ctx.seconds <= decision.max_seconds
    assert decision.seconds <= ctx.tier.max_clip_seconds
    if (license_max := terms_.max_seconds_by_tier.get(ctx.tier.name)) is not None:
        assert decision.seconds <= license_max
    if ctx.policy.max_clip_seconds is not None:
        assert decision.seconds <= ctx.policy.max_clip_seconds
    assert ctx.user_used_seconds + decision.seconds <= ctx.tier.seconds_per_period
    accounts = {r.account: r for r in decision.reservations}
    assert accounts[f"user:{USER.id}"].limit == ctx.tier.seconds_per_period
    if ctx.policy.pool_seconds_per_day is not None:
        pool = accounts[f"pool:{POLICY.scope_id}"]
        assert pool.limit == ctx.policy.pool_seconds_per_day
        assert (ctx.pool_used_seconds or 0) + decision.seconds <= pool.limit
    else:
        assert len(decision.reservations) == 1
    assert all(r.seconds == decision.seconds for r in decision.reservations)
    if ctx.requested_voice is not None:
        assert ctx.voice_model is not None and not ctx.voice_model.revoked
        assert ctx.voice_model.id in terms_.voice_models
    if ctx.policy.cooldown_s and ctx.last_request_at is not None and not ctx.is_moderator:
        assert ctx.now >= ctx.last_request_at + timedelta(seconds=ctx.policy.cooldown_s)
