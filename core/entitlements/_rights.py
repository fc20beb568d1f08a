"""Rules about the song's rights: opt-out, license validity, territory, transformation.

An independent rights holder's opt-in may narrow what the license grants, so
the rules read one ``Rights`` value (license terms ∩ opt-in limits) instead of
each combining the two on its own and drifting apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from core.entitlements import _wording as say
from core.entitlements.context import EntitlementContext
from core.entitlements.decision import Denied, DenyCode
from core.model import WORLDWIDE, License, OptDeclaration, Transformation


@dataclass(frozen=True)
class Rights:
    """What may be done with the recording right now, license and opt-in together.

    Attributes:
        license: the current, valid license version.
        transformations: the kinds both license and opt-in allow.
        styles: the style ids both allow; ``None`` means any style.
        territories: the countries both allow; ``None`` means worldwide
            (never contains ``WW`` itself).
        voice_models: voice model ids the license has consent for.
    """

    license: License
    transformations: frozenset[Transformation]
    styles: frozenset[str] | None
    territories: frozenset[str] | None
    voice_models: frozenset[str]

    @classmethod
    def of(cls, license_: License, opt: OptDeclaration | None) -> Rights:
        terms = license_.terms
        limits = opt if opt is not None and opt.opted_in else None
        transformations = terms.transformations
        styles = terms.styles
        territories = None if WORLDWIDE in terms.territories else terms.territories
        if limits is not None:
            if limits.transformations is not None:
                transformations = transformations & limits.transformations
            if limits.styles is not None:
                styles = limits.styles if styles is None else styles & limits.styles
            if limits.territories is not None and WORLDWIDE not in limits.territories:
                territories = (
                    limits.territories if territories is None else territories & limits.territories
                )
        if territories is not None:
            territories = territories - {WORLDWIDE}
        return cls(license_, transformations, styles, territories, terms.voice_models)

    def allows_territory(self, territory: str) -> bool:
        """Worldwide rights allow everyone; restricted ones never allow an unknown (WW) user."""
        return self.territories is None or territory in self.territories

    def allows_style(self, style: str) -> bool:
        return self.styles is None or style in self.styles

    def max_seconds(self, tier: str) -> int | None:
        return self.license.terms.max_seconds_by_tier.get(tier)


def opted_out(ctx: EntitlementContext) -> Denied | None:
    if ctx.opt is None or ctx.opt.opted_in:
        return None
    return Denied(
        DenyCode.WORK_OPTED_OUT,
        f"The rights holders have withdrawn {say.song(ctx.recording)} from Refrain, so no new "
        "covers or remixes of it can be made. Please pick another song.",
    )


def _day(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%b %Y} ({moment:%H:%M} UTC)"


def licensed(ctx: EntitlementContext) -> Rights | Denied:
    """The rights in force now, or NOT_LICENSED (no license, revoked, outside its validity)."""
    title = say.song(ctx.recording)
    license_ = ctx.license
    if license_ is None:
        return Denied(
            DenyCode.NOT_LICENSED,
            f"{title} has no license for covers or remixes yet, so I can't make one. "
            "Please pick another song.",
        )
    if license_.revoked_at is not None and license_.revoked_at <= ctx.now:
        return Denied(
            DenyCode.NOT_LICENSED,
            f"The license for {title} has been withdrawn, so no new clips of it can be made. "
            "Please pick another song.",
        )
    terms = license_.terms
    if terms.valid_from is not None and ctx.now < terms.valid_from:
        return Denied(
            DenyCode.NOT_LICENSED,
            f"The license for {title} starts on {_day(terms.valid_from)}. Ask again then, "
            "or pick another song.",
            retry_at=terms.valid_from.astimezone(UTC),
        )
    if terms.valid_to is not None and ctx.now >= terms.valid_to:
        return Denied(
            DenyCode.NOT_LICENSED,
            f"The license for {title} ended on {_day(terms.valid_to)}, so no new clips of it "
            "can be made. Please pick another song.",
        )
    return Rights.of(license_, ctx.opt)


def territory(ctx: EntitlementContext, rights: Rights) -> Denied | None:
    if rights.allows_territory(ctx.territory):
        return None
    title = say.song(ctx.recording)
    places = sorted(rights.territories or ())
    if not places:
        return Denied(
            DenyCode.TERRITORY,
            f"{title} isn't licensed in any country right now. Please pick another song.",
        )
    where = say.join(places)
    if ctx.territory == WORLDWIDE:
        return Denied(
            DenyCode.TERRITORY,
            f"{title} is only licensed in {where}, and I don't know which country you're in. "
            f"Set it with `{ctx.country_how} XX` (for example `{ctx.country_how} {places[0]}`), "
            "then ask again.",
        )
    return Denied(
        DenyCode.TERRITORY,
        f"{title} isn't licensed in {ctx.territory}, only in {where}. Please pick another "
        f"song; if your country is wrong, set it with `{ctx.country_how} XX`.",
    )


def _needed(ctx: EntitlementContext) -> list[Transformation]:
    """The asked-for kind, plus a voice cover's when a voice sings (it needs that consent)."""
    needed = [ctx.transformation]
    wants_voice = ctx.requested_voice is not None or ctx.voice_model is not None
    if wants_voice and Transformation.VOICE_SWAP not in needed:
        needed.append(Transformation.VOICE_SWAP)
    return needed


def transformation(ctx: EntitlementContext, rights: Rights) -> Denied | None:
    missing = next((k for k in _needed(ctx) if k not in rights.transformations), None)
    if missing is None:
        return None
    title = say.song(ctx.recording)
    what = say.KIND_WORDS[missing]
    allowed = [k for k in Transformation if k in rights.transformations]
    if not allowed:
        return Denied(
            DenyCode.TRANSFORMATION_NOT_LICENSED,
            f"{title} isn't licensed for {what} or anything else right now. "
            "Please pick another song.",
        )
    only = say.join(say.KIND_WORDS[k] for k in allowed)
    listing = "voices" if allowed == [Transformation.VOICE_SWAP] else "styles"
    return Denied(
        DenyCode.TRANSFORMATION_NOT_LICENSED,
        f"{title} isn't licensed for {what} (only for {only}) — try "
        f"`{listing} {ctx.recording.title}`.",
    )
