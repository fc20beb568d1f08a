"""Whatever the context, the engine answers, and a grant never exceeds a limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from core.entitlements import DEFAULT_TIERS, Denied, DenyCode, EntitlementContext, Granted, check
from core.model import (
    ConsentRecord,
    License,
    LicenseTerms,
    OptDeclaration,
    Recording,
    RightType,
    ScopePolicy,
    SubjectKind,
    Transformation,
    User,
    VoiceModel,
    Work,
)

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
STYLES = ["lofi", "synthwave", "8-bit", "acoustic", "original"]
RECORDING = Recording("rec-1", "work-1", "Golden Hour", "Mira Vale", "QZABC2600001", 36.0)
WORK = Work("work-1", "Golden Hour", "T-123.456.789-5")
VOICE = VoiceModel("voice-ada", "Ada Nova", "party-ada", ConsentRecord("ab" * 32, "all", date(2026, 1, 1)))


@st.composite
def contexts(draw: st.DrawFn) -> EntitlementContext:
    tier = DEFAULT_TIERS[draw(st.sampled_from(sorted(DEFAULT_TIERS)))]
    terms = LicenseTerms(
        transformations=frozenset(draw(st.sets(st.sampled_from(list(Transformation))))),
        styles=draw(st.none() | st.frozensets(st.sampled_from(STYLES))),
        voice_models=draw(st.sampled_from([frozenset(), frozenset({VOICE.id})])),
        max_seconds_by_tier=draw(st.dictionaries(st.sampled_from(["free", "fan", "pro"]),
                                                 st.integers(1, 200))),
        territories=draw(st.sampled_from([frozenset({"WW"}), frozenset({"DE", "AT"})])),
        bucket_templates={Transformation.COVER: {RightType.PERF: Fraction(1)}},
    )
    license_ = draw(st.none() | st.just(License("lic-1", RECORDING.id, 1, terms, NOW)))
    policy = ScopePolicy(
        "console:g",
        allowed_styles=draw(st.none() | st.frozensets(st.sampled_from(STYLES))),
        allowed_channels=draw(st.none() | st.just(frozenset({"covers"}))),
        max_clip_seconds=draw(st.none() | st.integers(1, 200)),
        cooldown_s=draw(st.integers(0, 120)),
        pool_seconds_per_day=draw(st.none() | st.integers(0, 500)),
    )
    voice_requested = draw(st.booleans())
    voice = draw(st.sampled_from([VOICE, VoiceModel(**{**VOICE.__dict__, "revoked_at": NOW})]))
    return EntitlementContext(
        user=User("u1", "console", "alice", "alice", tier.name,
                  terms_version=draw(st.sampled_from([None, "2026-11"]))),
        tier=tier,
        policy=policy,
        channel_id=draw(st.sampled_from(["general", "covers"])),
        is_moderator=draw(st.booleans()),
        recording=RECORDING,
        work=WORK,
        license=license_,
        opt=draw(st.none() | st.builds(OptDeclaration, st.just(SubjectKind.WORK), st.just("work-1"),
                                       st.just("p"), st.booleans())),
        voice_model=voice if voice_requested else None,
        requested_voice="Ada Nova" if voice_requested else None,
        transformation=draw(st.sampled_from(list(Transformation))),
        style=draw(st.sampled_from(STYLES)),
        seconds=draw(st.integers(1, 300)),
        territory=draw(st.sampled_from(["WW", "DE", "US"])),
        user_used_seconds=draw(st.integers(0, 4000)),
        pool_used_seconds=draw(st.integers(0, 600)),
        last_request_at=draw(st.none() | st.just(NOW - timedelta(seconds=30))),
        required_terms_version="2026-11",
        now=NOW,
    )


@settings(max_examples=500, deadline=None)
@given(contexts())
def test_grant_respects_every_limit(ctx: EntitlementContext) -> None:
    decision = check(ctx)
    if isinstance(decision, Denied):
        assert decision.message and isinstance(decision.code, DenyCode)
        return
    assert isinstance(decision, Granted)
    assert ctx.license is not None
    assert decision.seconds <= ctx.tier.max_clip_seconds
    tier_max = ctx.license.terms.max_seconds_by_tier.get(ctx.tier.name)
    assert tier_max is None or decision.seconds <= tier_max
    assert ctx.policy.max_clip_seconds is None or decision.seconds <= ctx.policy.max_clip_seconds
    assert ctx.user_used_seconds + decision.seconds <= ctx.tier.seconds_per_period
    for reservation in decision.reservations:
        assert reservation.seconds == decision.seconds
    if ctx.policy.pool_seconds_per_day is not None:
        assert (ctx.pool_used_seconds or 0) + decision.seconds <= ctx.policy.pool_seconds_per_day
    assert ctx.user.terms_version == "2026-11"
    assert ctx.transformation in ctx.license.terms.transformations
    assert ctx.opt is None or ctx.opt.opted_in


def test_banned_beats_everything_else() -> None:
    terms = LicenseTerms(frozenset({Transformation.COVER}))
    ctx = EntitlementContext(
        user=User("u1", "console", "alice", "alice", terms_version=None), tier=DEFAULT_TIERS["free"],
        policy=ScopePolicy("s", banned_users=frozenset({"u1"}), pool_seconds_per_day=0),
        channel_id=None, is_moderator=False, recording=RECORDING, work=WORK,
        license=License("l", RECORDING.id, 1, terms, NOW), opt=None, voice_model=None,
        requested_voice=None, transformation=Transformation.COVER, style="lofi", seconds=500,
        territory="WW", user_used_seconds=10_000, pool_used_seconds=10_000, last_request_at=None,
        required_terms_version="2026-11", now=NOW,
    )
    decision = check(ctx)
    assert isinstance(decision, Denied) and decision.code is DenyCode.USER_BANNED
