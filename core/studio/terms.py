"""What a holder chooses for a recording's terms, and that choice said back in one sentence.

The choice becomes a new license version whose other parts (validity,
revenue buckets) are carried over from the version in force, so royalties
need no new rule: the entitlement engine reads the new version on the next
request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from core.model import WORLDWIDE, LicenseTerms, Transformation
from core.studio.errors import StudioError
from core.stylebook import STYLES, style_name

_KIND_WORDS = {
    Transformation.COVER: ("cover", "covers"),
    Transformation.REMIX: ("remix", "remixes"),
    Transformation.VOICE_SWAP: ("voice swap", "voice swaps"),
}
_MAX_TERRITORIES = 250


@dataclass(frozen=True)
class TermsChoice:
    """The studio's form for a recording's terms, checked.

    ``styles`` None means "every style"; ``max_seconds_by_tier`` omits a tier
    that may not use the song at all; ``territories`` are ISO codes or WW.
    """

    kinds: frozenset[Transformation]
    styles: frozenset[str] | None
    max_seconds_by_tier: Mapping[str, int]
    territories: frozenset[str]
    voices: frozenset[str]

    @classmethod
    def of_terms(cls, terms: LicenseTerms) -> TermsChoice:
        return cls(
            kinds=terms.transformations,
            styles=terms.styles,
            max_seconds_by_tier=dict(terms.max_seconds_by_tier),
            territories=terms.territories,
            voices=terms.voice_models,
        )

    def applied_to(self, current: LicenseTerms | None) -> LicenseTerms:
        """The license terms of this choice, the rest kept from ``current``."""
        base = current or LicenseTerms(transformations=frozenset())
        return replace(
            base,
            transformations=self.kinds,
            styles=self.styles,
            voice_models=self.voices if Transformation.VOICE_SWAP in self.kinds else frozenset(),
            max_seconds_by_tier=dict(sorted(self.max_seconds_by_tier.items())),
            territories=self.territories,
        )


def parse_kinds(values: Iterable[str]) -> frozenset[Transformation]:
    kinds = set()
    for value in values:
        try:
            kinds.add(Transformation(value))
        except ValueError:
            raise StudioError(f"{value!r} is not a kind of clip Refrain makes", "kinds") from None
    return frozenset(kinds)


def parse_styles(values: Iterable[str], *, every: bool) -> frozenset[str] | None:
    if every:
        return None
    styles = frozenset(values)
    unknown = sorted(styles - STYLES.keys())
    if unknown:
        raise StudioError(f"{unknown[0]!r} is not a style in the style book", "styles")
    if not styles:
        raise StudioError("Pick at least one style, or allow every style.", "styles")
    return styles


def parse_territories(text: str) -> frozenset[str]:
    """``"DE, AT ch"`` → ``{"DE", "AT", "CH"}``; blank means worldwide."""
    codes = [c for c in text.replace(",", " ").upper().split() if c]
    if not codes:
        return frozenset({WORLDWIDE})
    if len(codes) > _MAX_TERRITORIES:
        raise StudioError("That is more territories than there are countries.", "territories")
    for code in codes:
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise StudioError(
                f"{code!r} is not a two-letter country code (e.g. DE, AT, CH; WW for worldwide).",
                "territories",
            )
    if WORLDWIDE in codes and len(codes) > 1:
        raise StudioError("WW already means worldwide: leave the other codes out.", "territories")
    return frozenset(codes)


def parse_seconds(tier: str, text: str, ceiling: int) -> int | None:
    """A tier's longest clip: blank or 0 means the tier may not use the song."""
    text = text.strip()
    if not text or text == "0":
        return None
    if not text.isdigit():
        raise StudioError(f"The longest clip for {tier} must be a whole number of seconds.",
                          f"seconds_{tier}")
    seconds = int(text)
    if seconds > ceiling:
        raise StudioError(f"The {tier} tier's clips are at most {ceiling} s long.", f"seconds_{tier}")
    return seconds


def terms_sentence(
    terms: LicenseTerms, opted_in: bool, voice_names: Mapping[str, str] | None = None
) -> str:
    """The terms as one plain sentence a holder can check at a glance."""
    if not opted_in:
        return "Opted out: fans can't make new clips of this song, and existing links don't play."
    if not terms.transformations or not terms.max_seconds_by_tier:
        return "Fans can't make clips of this song yet: no kind of clip or tier is allowed."
    kinds = _kind_phrase(terms.transformations)
    styles = ""
    if terms.styles is not None:
        styles = _either(style_name(s).lower() for s in sorted(terms.styles)) + " "
    where = _where(terms.territories)
    tiers = [
        f"fans on the {tier} tier can make {seconds}-s {styles}{kinds}"
        for tier, seconds in sorted(terms.max_seconds_by_tier.items(), key=lambda kv: (kv[1], kv[0]))
    ]
    sentence = _both(tiers) + f" {where}"
    if Transformation.VOICE_SWAP in terms.transformations:
        names = voice_names or {}
        voices = sorted(names.get(v, v) for v in terms.voice_models)
        sentence += (f"; voice swaps only with {_both(voices)}" if voices
                     else "; no consented voice chosen yet")
    else:
        sentence += "; no voice swaps"
    return sentence[0].upper() + sentence[1:]


def terms_words(terms: LicenseTerms | None) -> str:
    """Terms as the audit log records them (before → after)."""
    return "(no license)" if terms is None else terms_sentence(terms, True)


def _kind_phrase(kinds: frozenset[Transformation]) -> str:
    shown: list[Transformation] = [
        k for k in Transformation if k in kinds and k is not Transformation.VOICE_SWAP
    ]
    if not shown:
        shown = [Transformation.VOICE_SWAP]
    return _either(_KIND_WORDS[k][1] for k in shown)


def _where(territories: frozenset[str]) -> str:
    if not territories or WORLDWIDE in territories:
        return "worldwide"
    return "in " + _both(sorted(territories))


def _join(items: Iterable[str], word: str) -> str:
    listed = list(items)
    if len(listed) <= 1:
        return "".join(listed)
    return f"{', '.join(listed[:-1])} {word} {listed[-1]}"


def _either(items: Iterable[str]) -> str:
    return _join(items, "or")


def _both(items: Iterable[str]) -> str:
    return _join(items, "and")
