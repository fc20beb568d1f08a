"""Rules about a voice model singing the lead: it must exist, be consented and allowed.

A voice imitating a real person needs that person's consent for this song
(the license lists the consented models), within the scope the person
consented to (which kinds of work, which styles, which countries), and may be
withdrawn at any time; moderators may further limit which voices their server
uses.

The consent scope is stored in ``ConsentRecord.scope`` as one canonical line,
``kinds=covers,remixes; styles=lofi,acoustic; territories=DE,AT`` (``styles=*``:
any style; ``territories=WW``: worldwide), so every store that keeps a voice
model keeps its scope and the engine needs nothing more than the
``VoiceModel`` it already gets. A scope written before scopes were structured
(free text) is read as the narrowest consent Refrain ever asked for: covers,
any style, worldwide.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from core.entitlements import _wording as say
from core.entitlements._rights import Rights
from core.entitlements.context import EntitlementContext
from core.entitlements.decision import Denied, DenyCode
from core.errors import UserFacing
from core.model import WORLDWIDE, LicenseTerms, Transformation, VoiceModel

VOICE_KINDS: dict[str, frozenset[Transformation]] = {
    "covers": frozenset({Transformation.VOICE_SWAP, Transformation.COVER}),
    "remixes": frozenset({Transformation.REMIX}),
}
"""What each consent kind lets the voice sing in: a voice cover is a cover with a voice."""
_ANY = "*"


class ScopeError(UserFacing, ValueError):
    """A consent scope that cannot be read; the message says what is wrong."""


@dataclass(frozen=True)
class VoiceScope:
    """What a voice owner consented to.

    Attributes:
        kinds: consent kinds, a non-empty subset of ``VOICE_KINDS``.
        styles: style ids the voice may sing in; ``None`` means any.
        territories: country codes; ``{"WW"}`` means worldwide.
    """

    kinds: frozenset[str]
    styles: frozenset[str] | None = None
    territories: frozenset[str] = frozenset({WORLDWIDE})

    def __post_init__(self) -> None:
        unknown = self.kinds - set(VOICE_KINDS)
        if not self.kinds or unknown:
            raise ScopeError(
                f"consent kinds must be one or more of {', '.join(VOICE_KINDS)}"
                + (f" (got {', '.join(sorted(unknown))})" if unknown else "")
            )
        if not self.territories:
            raise ScopeError("a consent scope needs at least one territory (WW for worldwide)")
        if self.styles is not None and not self.styles:
            raise ScopeError("a consent scope needs at least one style (* for any)")

    def format(self) -> str:
        """The canonical line stored in ``ConsentRecord.scope`` (sorted: equal scopes, equal text)."""
        styles = _ANY if self.styles is None else ",".join(sorted(self.styles))
        return (
            f"kinds={','.join(sorted(self.kinds))}; styles={styles}; "
            f"territories={','.join(sorted(self.territories))}"
        )

    @classmethod
    def parse(cls, text: str) -> VoiceScope:
        """Read the canonical line; ``ScopeError`` says which part is wrong."""
        parts: dict[str, str] = {}
        for chunk in text.split(";"):
            if not chunk.strip():
                continue
            key, sep, value = chunk.partition("=")
            if not sep:
                raise ScopeError(f"consent scope part {chunk.strip()!r} is not key=value")
            parts[key.strip().casefold()] = value.strip()
        extra = set(parts) - {"kinds", "styles", "territories"}
        if extra or "kinds" not in parts:
            raise ScopeError(
                "a consent scope reads `kinds=covers,remixes; styles=*; territories=WW`"
                + (f" (unknown part {', '.join(sorted(extra))})" if extra else "")
            )
        return cls.build(
            _items(parts["kinds"]), _items(parts.get("styles", _ANY)),
            _items(parts.get("territories", WORLDWIDE)),
        )

    @classmethod
    def build(cls, kinds: Iterable[str], styles: Iterable[str] | None = None,
              territories: Iterable[str] | None = None) -> VoiceScope:
        """A scope from loose input (CLI options): case-folded kinds and styles, upper-case countries."""
        style_set = None if styles is None else frozenset(s.strip().casefold() for s in styles)
        if style_set is not None and _ANY in style_set:
            style_set = None
        places = frozenset(t.strip().upper() for t in ((WORLDWIDE,) if territories is None else territories))
        if WORLDWIDE in places:
            places = frozenset({WORLDWIDE})
        bad = sorted(p for p in places if not (len(p) == 2 and p.isalpha()))
        if bad:
            raise ScopeError(f"territories are two-letter country codes or WW, not {', '.join(bad)}")
        return cls(frozenset(k.strip().casefold() for k in kinds), style_set, places)

    def describe(self) -> str:
        """For people (credits line, listings): 'covers + remixes; lofi, acoustic; DE, AT'."""
        styles = "any style" if self.styles is None else ", ".join(sorted(self.styles))
        places = "worldwide" if WORLDWIDE in self.territories else ", ".join(sorted(self.territories))
        return f"{' + '.join(sorted(self.kinds))}; {styles}; {places}"

    def allows_kind(self, transformation: Transformation) -> bool:
        return any(transformation in VOICE_KINDS[k] for k in self.kinds)

    def allows_style(self, style: str) -> bool:
        return self.styles is None or style.casefold() in self.styles

    def allows_territory(self, territory: str) -> bool:
        """Worldwide consent allows everyone; a restricted one never an unknown (WW) user."""
        return WORLDWIDE in self.territories or territory in self.territories


LEGACY_SCOPE = VoiceScope(frozenset({"covers"}))


def _items(value: str) -> list[str]:
    return [item for item in (v.strip() for v in value.split(",")) if item]


def scope_of(model: VoiceModel) -> VoiceScope:
    """The structured scope of a voice's consent (free-text scopes: ``LEGACY_SCOPE``)."""
    try:
        return VoiceScope.parse(model.consent.scope)
    except ScopeError:
        return LEGACY_SCOPE


def is_active(model: VoiceModel, now: datetime) -> bool:
    return model.revoked_at is None or model.revoked_at > now


def voices_for_song(
    models: Iterable[VoiceModel],
    terms: LicenseTerms,
    now: datetime,
    *,
    style: str | None = None,
    territory: str = WORLDWIDE,
    transformation: Transformation = Transformation.VOICE_SWAP,
) -> list[VoiceModel]:
    """The voices a ``voices <song>`` listing offers: licensed for the song, not revoked, in scope.

    ``style`` ``None`` keeps voices that allow at least one style; the caller
    passes the style when the user named one.
    """
    return voices_in_scope(models, terms.voice_models, now, style=style, territory=territory,
                           transformation=transformation)


def voices_in_scope(
    models: Iterable[VoiceModel],
    licensed: Collection[str],
    now: datetime,
    *,
    style: str | None = None,
    territory: str = WORLDWIDE,
    transformation: Transformation = Transformation.VOICE_SWAP,
) -> list[VoiceModel]:
    """Voices among ``licensed`` (ids) that are active and whose owner's consent covers
    this kind of work, ``style`` (any, when ``None``) and ``territory``; by name."""
    chosen = []
    for model in models:
        scope = scope_of(model)
        if (
            model.id in licensed
            and is_active(model, now)
            and scope.allows_kind(transformation)
            and (style is None or scope.allows_style(style))
            and scope.allows_territory(territory)
        ):
            chosen.append(model)
    return sorted(chosen, key=lambda m: m.name.casefold())


def server_allows(allowed: frozenset[str] | None, voice: VoiceModel) -> bool:
    """Moderators type names, catalogs use ids: either one enables the voice."""
    if allowed is None:
        return True
    wanted = {v.casefold() for v in allowed}
    return voice.id.casefold() in wanted or voice.name.casefold() in wanted


def voice(ctx: EntitlementContext, rights: Rights) -> Denied | None:
    asked = ctx.requested_voice is not None or ctx.voice_model is not None
    if not asked and ctx.transformation is not Transformation.VOICE_SWAP:
        return None
    title = say.song(ctx.recording)
    listing = f"`voices {ctx.recording.title}`"
    model = ctx.voice_model
    if model is None:
        if ctx.requested_voice is None:
            return Denied(
                DenyCode.VOICE_UNKNOWN,
                f"Which voice should sing {title}? Type {listing} to see the consented "
                'voices, then add `voice:"NAME"`.',
            )
        return Denied(
            DenyCode.VOICE_UNKNOWN,
            f"I don't know a voice called “{ctx.requested_voice}”. Type {listing} to see the "
            f"consented voices for {title}.",
        )
    if not is_active(model, ctx.now):
        return Denied(
            DenyCode.VOICE_REVOKED,
            f"{model.name} has withdrawn consent for their voice, so it can't sing {title} "
            f"or anything else any more. Type {listing} to pick another voice.",
        )
    if model.id not in rights.voice_models:
        return Denied(
            DenyCode.VOICE_NOT_CONSENTED,
            f"{model.name}'s voice isn't licensed for {title}. Type {listing} to see the voices "
            "that are.",
        )
    if (denied := _in_scope(ctx, model, listing)) is not None:
        return denied
    if not server_allows(ctx.policy.allowed_voices, model):
        return Denied(
            DenyCode.VOICE_NOT_CONSENTED,
            f"The moderators haven't enabled {model.name}'s voice on this server, so it can't "
            f"sing {title} here. Pick another voice with {listing}, or ask a moderator "
            "(`settings voices`).",
        )
    return None


def _in_scope(ctx: EntitlementContext, model: VoiceModel, listing: str) -> Denied | None:
    """The owner's consent must cover this kind of work, this style and this country."""
    scope = scope_of(model)
    title = say.song(ctx.recording)
    if not scope.allows_kind(ctx.transformation):
        allowed = say.join(sorted(scope.kinds))
        return Denied(
            DenyCode.VOICE_NOT_CONSENTED,
            f"{model.name} agreed to lend their voice to {allowed} only, not to "
            f"{say.KIND_WORDS[ctx.transformation]}. Type {listing} to "
            "pick another voice.",
        )
    if not scope.allows_style(ctx.style):
        styles = say.style_list(sorted(scope.styles or ()), ctx.style_names)
        return Denied(
            DenyCode.VOICE_NOT_CONSENTED,
            f"{model.name} agreed to sing in {styles} only, not in "
            f"{say.style_name(ctx.style, ctx.style_names)}. Ask for {title} in one of those "
            f"styles, or type {listing} to pick another voice.",
        )
    if not scope.allows_territory(ctx.territory):
        places = say.join(sorted(scope.territories))
        if ctx.territory == WORLDWIDE:
            return Denied(
                DenyCode.VOICE_NOT_CONSENTED,
                f"{model.name}'s voice may only be used in {places}, and I don't know which "
                "country you're in. Set it with `settings country XX`, then ask again.",
            )
        return Denied(
            DenyCode.VOICE_NOT_CONSENTED,
            f"{model.name}'s voice may only be used in {places}, not in {ctx.territory}. Type "
            f"{listing} to pick another voice.",
        )
    return None
