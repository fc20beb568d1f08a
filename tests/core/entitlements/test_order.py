"""Refusals come in a fixed order, so a fan hears the most useful one first."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from core.entitlements import Denied, DenyCode, EntitlementContext, Granted, check
from core.model import OptDeclaration, SubjectKind, Transformation
from tests.core.entitlements.golden_hour import (
    BEN_LARK,
    NOW,
    POLICY,
    USER,
    context,
    terms,
)

Breaker = Callable[[EntitlementContext], EntitlementContext]


def _license(ctx: EntitlementContext, **changes: Any) -> EntitlementContext:
    assert ctx.license is not None
    new_terms = dataclasses.replace(ctx.license.terms, **changes)
    return dataclasses.replace(ctx, license=dataclasses.replace(ctx.license, terms=new_terms))


def _policy(ctx: EntitlementContext, **changes: Any) -> EntitlementContext:
    return dataclasses.replace(ctx, policy=dataclasses.replace(ctx.policy, **changes))


def _revoke_license(ctx: EntitlementContext) -> EntitlementContext:
    assert ctx.license is not None
    revoked = dataclasses.replace(ctx.license, revoked_at=NOW - timedelta(days=1))
    return dataclasses.replace(ctx, license=revoked)


def _revoke_voice(ctx: EntitlementContext) -> EntitlementContext:
    model = ctx.voice_model or BEN_LARK
    revoked = dataclasses.replace(model, revoked_at=NOW - timedelta(days=1))
    return dataclasses.replace(ctx, voice_model=revoked)


# Each breaker makes exactly one rule fail and leaves every earlier rule passing.
BREAKERS: dict[DenyCode, Breaker] = {
    DenyCode.USER_BANNED: lambda c: _policy(c, banned_users=frozenset({USER.id})),
    DenyCode.TERMS_NOT_ACCEPTED: lambda c: dataclasses.replace(
        c, user=dataclasses.replace(c.user, terms_version=None)
    ),
    DenyCode.CHANNEL_NOT_ALLOWED: lambda c: dataclasses.replace(c, channel_id="off-topic"),
    DenyCode.EXPLICIT_FILTERED: lambda c: _policy(
        dataclasses.replace(c, recording=dataclasses.replace(c.recording, explicit=True)),
        nsfw_filter=True,
    ),
    DenyCode.WORK_OPTED_OUT: lambda c: dataclasses.replace(
        c, opt=OptDeclaration(SubjectKind.WORK, c.work.id, "party-indie", opted_in=False)
    ),
    DenyCode.NOT_LICENSED: _revoke_license,
    DenyCode.TERRITORY: lambda c: dataclasses.replace(c, territory="US"),
    DenyCode.TRANSFORMATION_NOT_LICENSED: lambda c: _license(
        c, transformations=frozenset({Transformation.COVER})
    ),
    DenyCode.VOICE_UNKNOWN: lambda c: dataclasses.replace(c, voice_model=None),
    DenyCode.VOICE_REVOKED: _revoke_voice,
    DenyCode.VOICE_NOT_CONSENTED: lambda c: _license(c, voice_models=frozenset()),
    DenyCode.STYLE_NOT_LICENSED: lambda c: dataclasses.replace(c, style="8-bit"),
    DenyCode.STYLE_DISABLED_BY_SERVER: lambda c: _policy(
        c, allowed_styles=frozenset({"synthwave"})
    ),
    DenyCode.CLIP_TOO_LONG: lambda c: dataclasses.replace(c, seconds=45),
    DenyCode.COOLDOWN: lambda c: dataclasses.replace(
        c, last_request_at=NOW - timedelta(seconds=10)
    ),
    DenyCode.USER_QUOTA_EXHAUSTED: lambda c: dataclasses.replace(c, user_used_seconds=50),
    DenyCode.MEMBER_LIMIT_EXHAUSTED: lambda c: dataclasses.replace(c, member_used_seconds=40),
    DenyCode.SERVER_POOL_EXHAUSTED: lambda c: dataclasses.replace(c, pool_used_seconds=90),
}

ORDER = list(DenyCode)  # declared in the order the engine checks


def busy_voice_cover() -> EntitlementContext:
    """A granted lofi voice cover by Ben Lark, in a server with every restriction switched on."""
    policy = dataclasses.replace(
        POLICY,
        allowed_channels=frozenset({"general"}),
        allowed_styles=frozenset({"lofi", "synthwave"}),
        cooldown_s=60,
        pool_seconds_per_day=100,
        user_seconds_per_day=50,
        max_clip_seconds=40,
    )
    return context(
        policy=policy,
        license=terms(territories=frozenset({"DE", "AT"})),
        transformation=Transformation.VOICE_SWAP,
        requested_voice="Ben Lark",
        voice_model=BEN_LARK,
        pool_used_seconds=0,
        member_used_seconds=0,
        last_request_at=NOW - timedelta(minutes=2),
    )


def test_base_of_the_order_test_is_granted() -> None:
    assert isinstance(check(busy_voice_cover()), Granted)


def test_every_code_has_a_breaker() -> None:
    assert set(BREAKERS) == set(DenyCode)


def test_each_breaker_alone_gives_its_code() -> None:
    for code, breaker in BREAKERS.items():
        decision = check(breaker(busy_voice_cover()))
        assert isinstance(decision, Denied) and decision.code is code, (code, decision)


def test_banned_user_with_exhausted_quota_hears_about_the_ban() -> None:
    ctx = BREAKERS[DenyCode.USER_QUOTA_EXHAUSTED](busy_voice_cover())
    ctx = BREAKERS[DenyCode.USER_BANNED](ctx)
    decision = check(ctx)
    assert isinstance(decision, Denied) and decision.code is DenyCode.USER_BANNED


@settings(max_examples=300, deadline=None)
@given(st.sets(st.sampled_from(ORDER), min_size=1))
def test_the_earliest_broken_rule_wins(broken: set[DenyCode]) -> None:
    ctx = busy_voice_cover()
    for code in reversed(ORDER):  # later first, so an earlier breaker wins on a shared field
        if code in broken:
            ctx = BREAKERS[code](ctx)
    decision = check(ctx)
    expected = min(broken, key=ORDER.index)
    assert isinstance(decision, Denied) and decision.code is expected, (broken, decision)
