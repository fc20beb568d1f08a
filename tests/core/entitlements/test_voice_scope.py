"""A voice sings only within the scope its owner consented to: kinds, styles, territories."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.entitlements import Denied, DenyCode, Granted, check
from core.entitlements._voice import (
    LEGACY_SCOPE,
    VOICE_KINDS,
    ScopeError,
    VoiceScope,
    scope_of,
    voices_for_song,
)
from core.model import ConsentRecord, Transformation, VoiceModel
from tests.core.entitlements.golden_hour import BEN_LARK, NOW, TERMS, context, shown, terms

STYLES = ("lofi", "synthwave", "acoustic")
PLACES = ("DE", "AT", "FR", "US")


def voice_with(scope: VoiceScope | str, revoked_days_ago: int | None = None) -> VoiceModel:
    text = scope if isinstance(scope, str) else scope.format()
    revoked = None if revoked_days_ago is None else NOW - timedelta(days=revoked_days_ago)
    return dataclasses.replace(
        BEN_LARK, consent=dataclasses.replace(BEN_LARK.consent, scope=text), revoked_at=revoked
    )


def request(model: VoiceModel, **changes: object) -> Granted | Denied:
    """A voice request on *Golden Hour*, whose license allows every kind, style and country here."""
    license_ = terms(
        transformations=frozenset(Transformation),
        styles=frozenset(STYLES),
    )
    base = {"voice_model": model, "requested_voice": model.name, "license": license_,
            "transformation": Transformation.VOICE_SWAP}
    return check(context(**(base | changes)))


scopes = st.builds(
    VoiceScope.build,
    st.sets(st.sampled_from(sorted(VOICE_KINDS)), min_size=1),
    st.one_of(st.none(), st.sets(st.sampled_from(STYLES), min_size=1)),
    st.one_of(st.just(["WW"]), st.sets(st.sampled_from(PLACES), min_size=1)),
)


@given(
    scope=scopes,
    kind=st.sampled_from([Transformation.VOICE_SWAP, Transformation.REMIX]),
    style=st.sampled_from(STYLES),
    place=st.sampled_from((*PLACES, "WW")),
)
def test_granted_exactly_when_kind_style_and_territory_are_consented(
    scope: VoiceScope, kind: Transformation, style: str, place: str
) -> None:
    decision = request(voice_with(scope), transformation=kind, style=style, territory=place)
    consented = (
        any(kind in VOICE_KINDS[k] for k in scope.kinds)
        and (scope.styles is None or style in scope.styles)
        and ("WW" in scope.territories or place in scope.territories)
    )
    if consented:
        assert isinstance(decision, Granted), decision
    else:
        assert isinstance(decision, Denied)
        assert decision.code is DenyCode.VOICE_NOT_CONSENTED


@given(scope=scopes)
def test_scope_line_round_trips(scope: VoiceScope) -> None:
    assert VoiceScope.parse(scope.format()) == scope
    assert scope_of(voice_with(scope)) == scope


def test_refusals_say_what_was_consented() -> None:
    covers_only = voice_with(VoiceScope.build(["covers"], ["acoustic"], ["DE", "AT"]))
    remix = request(covers_only, transformation=Transformation.REMIX)
    style = request(covers_only, style="lofi", territory="DE")
    place = request(covers_only, style="acoustic", territory="FR")
    unknown = request(covers_only, style="acoustic", territory="WW")
    assert isinstance(remix, Denied) and isinstance(style, Denied)
    assert isinstance(place, Denied) and isinstance(unknown, Denied)
    assert "covers only" in shown(remix) and "remixes" in shown(remix)
    assert "Acoustic" in shown(style) and "Lo-fi" in shown(style)
    assert "AT and DE" in shown(place) and "FR" in shown(place)
    assert "settings country" in shown(unknown)
    assert isinstance(request(covers_only, style="acoustic", territory="AT"), Granted)


def test_revocation_wins_over_any_scope_and_takes_effect_at_its_instant() -> None:
    everything = VoiceScope.build(["covers", "remixes"])
    revoked = request(voice_with(everything, revoked_days_ago=0))
    assert isinstance(revoked, Denied) and revoked.code is DenyCode.VOICE_REVOKED
    # Revoked a minute from now: still allowed now (the queue re-checks when the job runs).
    later = dataclasses.replace(voice_with(everything), revoked_at=NOW + timedelta(minutes=1))
    assert isinstance(request(later), Granted)


def test_free_text_scopes_read_as_covers_anywhere() -> None:
    legacy = voice_with("voice covers of licensed catalog songs")
    assert scope_of(legacy) == LEGACY_SCOPE
    assert isinstance(request(legacy, style="synthwave"), Granted)
    remix = request(legacy, transformation=Transformation.REMIX)
    assert isinstance(remix, Denied) and remix.code is DenyCode.VOICE_NOT_CONSENTED


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("kinds=karaoke", "covers, remixes"),
        ("styles=lofi", "kinds=covers"),
        ("kinds=covers; moods=sad", "unknown part moods"),
        ("kinds=covers; territories=Germany", "two-letter"),
        ("kinds=covers; territories=", "at least one territory"),
        ("kinds covers", "key=value"),
    ],
)
def test_malformed_scopes_are_refused_in_words(text: str, words: str) -> None:
    with pytest.raises(ScopeError, match=words):
        VoiceScope.parse(text)


def test_voices_listing_offers_only_licensed_active_in_scope_voices() -> None:
    ada = VoiceModel("voice-ada", "Ada Nova", "party-ada", ConsentRecord("ab" * 32, VoiceScope.build(
        ["covers"]).format(), NOW.date()))
    kai = dataclasses.replace(ada, id="voice-kai", name="Kai Orin", consent=dataclasses.replace(
        ada.consent, scope=VoiceScope.build(["covers"], ["acoustic"]).format()))
    gone = dataclasses.replace(ada, id="voice-gone", name="Gone", revoked_at=NOW - timedelta(days=1))
    stranger = dataclasses.replace(ada, id="voice-stranger", name="Stranger")
    licensed = dataclasses.replace(TERMS, voice_models=frozenset({"voice-ada", "voice-kai", "voice-gone"}))
    models = [kai, gone, stranger, ada]
    assert [m.name for m in voices_for_song(models, licensed, NOW)] == ["Ada Nova", "Kai Orin"]
    assert [m.name for m in voices_for_song(models, licensed, NOW, style="lofi")] == ["Ada Nova"]
    remixers = voices_for_song(models, licensed, NOW, transformation=Transformation.REMIX)
    assert remixers == []
