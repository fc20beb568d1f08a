"""The studio's terms: the form's words checked, said back in one sentence, applied as license terms."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.model import LicenseTerms, RightType, Transformation
from core.studio import (
    InviteSigner,
    StudioError,
    TermsChoice,
    parse_kinds,
    parse_seconds,
    parse_styles,
    parse_territories,
    terms_sentence,
)
from core.stylebook import STYLES


def test_the_issue_s_example_sentence() -> None:
    terms = LicenseTerms(
        transformations=frozenset({Transformation.COVER}),
        styles=frozenset({"lofi", "acoustic"}),
        max_seconds_by_tier={"free": 30},
        territories=frozenset({"DE", "AT", "CH"}),
    )
    assert terms_sentence(terms, opted_in=True) == (
        "Fans on the free tier can make 30-s acoustic or lo-fi covers in AT, CH and DE; no voice swaps"
    )


def test_sentences_for_tiers_voices_worldwide_and_opted_out() -> None:
    terms = LicenseTerms(
        transformations=frozenset({Transformation.COVER, Transformation.REMIX, Transformation.VOICE_SWAP}),
        styles=None,
        voice_models=frozenset({"voice-ada"}),
        max_seconds_by_tier={"free": 30, "pro": 120},
    )
    assert terms_sentence(terms, True, {"voice-ada": "Ada"}) == (
        "Fans on the free tier can make 30-s covers or remixes and fans on the pro tier can make "
        "120-s covers or remixes worldwide; voice swaps only with Ada"
    )
    assert terms_sentence(terms, False).startswith("Opted out: fans can't make new clips")
    nothing = LicenseTerms(transformations=frozenset())
    assert "can't make clips of this song yet" in terms_sentence(nothing, True)


@pytest.mark.parametrize(("text", "expected"), [
    ("", {"WW"}), ("  ", {"WW"}), ("de, at ch", {"DE", "AT", "CH"}), ("WW", {"WW"}),
])
def test_territories_read_as_codes(text: str, expected: set[str]) -> None:
    assert parse_territories(text) == expected


@pytest.mark.parametrize(("text", "words"), [
    ("Germany", "two-letter"), ("D1", "two-letter"), ("ÄÖ", "two-letter"), ("WW DE", "WW already"),
])
def test_bad_territories_are_refused_for_their_field(text: str, words: str) -> None:
    with pytest.raises(StudioError, match=words) as caught:
        parse_territories(text)
    assert caught.value.field == "territories"


def test_kinds_styles_and_seconds_are_checked() -> None:
    assert parse_kinds(["COVER", "REMIX"]) == {Transformation.COVER, Transformation.REMIX}
    with pytest.raises(StudioError) as kind:
        parse_kinds(["cover"])
    assert kind.value.field == "kinds"
    assert parse_styles(["polka"], every=True) is None  # "every style" wins
    with pytest.raises(StudioError, match="style book"):
        parse_styles(["polka"], every=False)
    assert parse_seconds("free", "", 30) is None and parse_seconds("free", "0", 30) is None
    assert parse_seconds("free", " 30 ", 30) == 30
    for bad in ("31", "-1", "1.5", "x"):
        with pytest.raises(StudioError) as caught:
            parse_seconds("free", bad, 30)
        assert caught.value.field == "seconds_free"


_kinds = st.frozensets(st.sampled_from(list(Transformation)))
_styles = st.none() | st.frozensets(st.sampled_from(sorted(STYLES)), min_size=1)
_tiers = st.dictionaries(st.sampled_from(["free", "fan", "pro"]), st.integers(1, 120))
_countries = st.sampled_from(["DE", "AT", "CH", "FR", "US"])
_codes = st.frozensets(_countries, min_size=1) | st.just(frozenset({"WW"}))
_buckets = st.dictionaries(
    st.sampled_from(list(Transformation)),
    st.dictionaries(st.sampled_from(list(RightType)), st.fractions(0, 1), max_size=3),
    max_size=3,
)


@given(_kinds, _styles, _tiers, _codes, _buckets, st.frozensets(st.sampled_from(["v1", "v2"])))
def test_a_choice_changes_only_what_the_studio_shows(
    kinds: frozenset[Transformation], styles: frozenset[str] | None, tiers: dict[str, int],
    codes: frozenset[str], buckets: dict[Transformation, dict[RightType, Fraction]], voices: frozenset[str],
) -> None:
    """Revenue buckets and validity come from the version in force, untouched: the royalty rules
    read a studio-made version exactly as an imported one."""
    current = LicenseTerms(
        transformations=frozenset({Transformation.COVER}),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        bucket_templates=buckets,
    )
    choice = TermsChoice(kinds, styles, tiers, codes, voices)
    applied = choice.applied_to(current)
    assert applied.bucket_templates == current.bucket_templates
    assert applied.valid_from == current.valid_from and applied.valid_to == current.valid_to
    assert applied.transformations == kinds and applied.styles == styles
    assert dict(applied.max_seconds_by_tier) == tiers and applied.territories == codes
    # voices only where voice swaps are allowed
    assert applied.voice_models == (voices if Transformation.VOICE_SWAP in kinds else frozenset())
    assert TermsChoice.of_terms(applied).applied_to(applied) == applied


def test_invite_tokens_are_ours_or_nothing() -> None:
    signer = InviteSigner(b"secret")
    token = signer.token("abcdefghijklmnopqrstuv")
    assert signer.invite_id(token) == "abcdefghijklmnopqrstuv"
    assert InviteSigner(b"other").invite_id(token) is None
    assert signer.invite_id(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    assert signer.invite_id("../../etc/passwd") is None and signer.invite_id("") is None
