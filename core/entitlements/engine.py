"""The entitlement engine: may this render run? Decided before any compute.

One pure function over one context. The checks run in the order that gives a
fan the most useful answer first (a banned user hears that, not that their
quota is empty), and every refusal names the song, style or voice and says
what to do instead.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.entitlements.tiers import period_bounds
from core.model import (
    WORLDWIDE,
    License,
    OptDeclaration,
    Recording,
    ScopePolicy,
    Tier,
    Transformation,
    User,
    VoiceModel,
    Work,
)
from core.ports import Reservation


class DenyCode(enum.Enum):
    USER_BANNED = "USER_BANNED"
    TERMS_NOT_ACCEPTED = "TERMS_NOT_ACCEPTED"
    CHANNEL_NOT_ALLOWED = "CHANNEL_NOT_ALLOWED"
    WORK_OPTED_OUT = "WORK_OPTED_OUT"
    NOT_LICENSED = "NOT_LICENSED"
    TERRITORY = "TERRITORY"
    TRANSFORMATION_NOT_LICENSED = "TRANSFORMATION_NOT_LICENSED"
    VOICE_UNKNOWN = "VOICE_UNKNOWN"
    VOICE_REVOKED = "VOICE_REVOKED"
    VOICE_NOT_CONSENTED = "VOICE_NOT_CONSENTED"
    STYLE_NOT_LICENSED = "STYLE_NOT_LICENSED"
    STYLE_DISABLED_BY_SERVER = "STYLE_DISABLED_BY_SERVER"
    CLIP_TOO_LONG = "CLIP_TOO_LONG"
    COOLDOWN = "COOLDOWN"
    USER_QUOTA_EXHAUSTED = "USER_QUOTA_EXHAUSTED"
    SERVER_POOL_EXHAUSTED = "SERVER_POOL_EXHAUSTED"


@dataclass(frozen=True)
class Denied:
    code: DenyCode
    message: str
    hint: str | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True)
class Granted:
    seconds: int
    max_seconds: int
    reservations: tuple[Reservation, ...]
    priority: int


@dataclass(frozen=True)
class EntitlementContext:
    user: User
    tier: Tier
    policy: ScopePolicy
    channel_id: str | None
    is_moderator: bool
    recording: Recording
    work: Work
    license: License | None
    opt: OptDeclaration | None
    voice_model: VoiceModel | None
    requested_voice: str | None
    transformation: Transformation
    style: str
    seconds: int
    territory: str
    user_used_seconds: int
    pool_used_seconds: int | None
    last_request_at: datetime | None
    required_terms_version: str
    now: datetime
    style_names: Mapping[str, str] = field(default_factory=dict)


_KIND_WORDS = {
    Transformation.COVER: "covers",
    Transformation.REMIX: "remixes",
    Transformation.VOICE_SWAP: "voice covers",
}


def _listing(items: Iterable[str]) -> str:
    names = sorted(items)
    return ", ".join(f"`{n}`" for n in names) if names else "none"


def _at(moment: datetime) -> str:
    return f"{moment:%H:%M} UTC" + ("" if moment.second == 0 else f" ({moment:%H:%M:%S})")


def check(ctx: EntitlementContext) -> Granted | Denied:
    """Grant the request with its quota reservations, or say why not."""
    song = f"*{ctx.recording.title}*"
    terms = ctx.license.terms if ctx.license is not None else None
    policy = ctx.policy

    if ctx.user.id in policy.banned_users:
        return Denied(
            DenyCode.USER_BANNED,
            "A moderator has paused your requests on this server.",
            "Ask a moderator if you think this is a mistake.",
        )
    if ctx.user.terms_version != ctx.required_terms_version:
        return Denied(
            DenyCode.TERMS_NOT_ACCEPTED,
            "Before your first cover, please read the terms (`terms`) and type `terms accept`."
            if ctx.user.terms_version is None
            else "The terms of use changed since you accepted them: read them (`terms`) and "
            "type `terms accept`.",
        )
    allowed_channels = policy.allowed_channels
    if allowed_channels is not None and ctx.channel_id not in allowed_channels:
        return Denied(
            DenyCode.CHANNEL_NOT_ALLOWED,
            "Covers aren't made in this channel.",
            f"Use {', '.join('#' + c for c in sorted(allowed_channels)) or 'no channel yet'}.",
        )
    if ctx.opt is not None and not ctx.opt.opted_in:
        return Denied(
            DenyCode.WORK_OPTED_OUT,
            f"The rights holders withdrew {song} from Refrain, so it can't be covered any more.",
            "Type `styles` or try another song.",
        )
    if ctx.license is None or terms is None or ctx.license.revoked_at is not None:
        return Denied(DenyCode.NOT_LICENSED, f"{song} isn't licensed for covers right now.",
                      "Try another song.")
    if (terms.valid_from and ctx.now < terms.valid_from) or (
        terms.valid_to and ctx.now >= terms.valid_to
    ):
        return Denied(DenyCode.NOT_LICENSED, f"{song}'s license isn't valid today.",
                      "Try another song.")
    territories = terms.territories
    if ctx.opt is not None and ctx.opt.territories is not None:
        territories = territories & ctx.opt.territories if WORLDWIDE not in territories else (
            ctx.opt.territories
        )
    if WORLDWIDE not in territories and ctx.territory not in territories:
        places = ", ".join(sorted(territories))
        if ctx.territory == WORLDWIDE:
            return Denied(
                DenyCode.TERRITORY,
                f"{song} is only licensed in {places}, and I don't know where you are.",
                "Tell me with `settings country XX` (your two-letter country code).",
            )
        return Denied(
            DenyCode.TERRITORY,
            f"{song} isn't licensed in {ctx.territory} (only in {places}).",
            "Pick another song; `settings country XX` if your country is wrong.",
        )
    kinds = terms.transformations
    if ctx.opt is not None and ctx.opt.transformations is not None:
        kinds = kinds & ctx.opt.transformations
    if ctx.transformation not in kinds:
        what = _KIND_WORDS[ctx.transformation]
        allowed = " and ".join(_KIND_WORDS[k] for k in Transformation if k in kinds) or "nothing"
        return Denied(
            DenyCode.TRANSFORMATION_NOT_LICENSED,
            f"{song} isn't licensed for {what} (only {allowed}).",
            f"Try `styles {ctx.recording.title}`.",
        )
    if ctx.requested_voice is not None:
        voice = ctx.voice_model
        if voice is None:
            return Denied(
                DenyCode.VOICE_UNKNOWN,
                f"I don't know a voice called “{ctx.requested_voice}”.",
                "Type `voices` to see the consented voices.",
            )
        if voice.revoked:
            return Denied(
                DenyCode.VOICE_REVOKED,
                f"{voice.name} withdrew consent for their voice, so it can't be used any more.",
                "Type `voices` for voices you can use.",
            )
        server_voices = policy.allowed_voices
        if voice.id not in terms.voice_models or (
            server_voices is not None
            and voice.id not in server_voices
            and voice.name not in server_voices
        ):
            where = "for this song" if voice.id not in terms.voice_models else "on this server"
            return Denied(
                DenyCode.VOICE_NOT_CONSENTED,
                f"{voice.name}'s voice isn't licensed {where} ({song}).",
                f"Type `voices {ctx.recording.title}`.",
            )
    style_name = ctx.style_names.get(ctx.style, ctx.style)
    licensed_styles = terms.styles
    if ctx.opt is not None and ctx.opt.styles is not None:
        licensed_styles = (
            ctx.opt.styles if licensed_styles is None else licensed_styles & ctx.opt.styles
        )
    if ctx.style != "original" and licensed_styles is not None and ctx.style not in licensed_styles:
        return Denied(
            DenyCode.STYLE_NOT_LICENSED,
            f"{song} isn't licensed in the {style_name} style. Its license allows: "
            f"{_listing(licensed_styles)}.",
            f"For example `cover \"{ctx.recording.title}\" style:{sorted(licensed_styles)[0]}`"
            if licensed_styles
            else None,
        )
    if (
        ctx.style != "original"
        and policy.allowed_styles is not None
        and ctx.style not in policy.allowed_styles
    ):
        enabled = policy.allowed_styles & licensed_styles if licensed_styles else policy.allowed_styles
        return Denied(
            DenyCode.STYLE_DISABLED_BY_SERVER,
            f"The moderators turned off the {style_name} style on this server. Enabled here: "
            f"{_listing(enabled)}.",
        )
    limits = {f"your {ctx.tier.name} tier": ctx.tier.max_clip_seconds}
    license_max = terms.max_seconds_by_tier.get(ctx.tier.name)
    if license_max is not None:
        limits[f"{song}'s license"] = license_max
    if policy.max_clip_seconds is not None:
        limits["this server"] = policy.max_clip_seconds
    max_seconds = min(limits.values())
    if ctx.seconds > max_seconds:
        who = min(limits, key=limits.__getitem__)
        return Denied(
            DenyCode.CLIP_TOO_LONG,
            f"{ctx.seconds} s is too long: {who} allows clips up to {max_seconds} s.",
            f"Ask for `length:{max_seconds}` or less"
            + ("; higher tiers get longer clips." if who.startswith("your") else "."),
        )
    if policy.cooldown_s and ctx.last_request_at is not None and not ctx.is_moderator:
        ready = ctx.last_request_at + timedelta(seconds=policy.cooldown_s)
        if ctx.now < ready:
            wait = int((ready - ctx.now).total_seconds()) + 1
            return Denied(
                DenyCode.COOLDOWN,
                f"Slow down a little: this server allows one request every "
                f"{policy.cooldown_s} s. Try again in {wait} s.",
                retry_at=ready,
            )
    period_start, period_end = period_bounds(ctx.tier.period, ctx.now)
    limit = ctx.tier.seconds_per_period
    if ctx.user_used_seconds + ctx.seconds > limit:
        left = max(0, limit - ctx.user_used_seconds)
        return Denied(
            DenyCode.USER_QUOTA_EXHAUSTED,
            f"You've used {ctx.user_used_seconds} of your {limit} render-seconds this "
            f"{ctx.tier.period} ({left} s left, this clip needs {ctx.seconds} s). "
            f"They reset at {_at(period_end)}.",
            f"Try `length:{left}`." if left else "Higher tiers get more render time.",
            retry_at=period_end,
        )
    reservations = [Reservation(f"user:{ctx.user.id}", ctx.seconds, limit, period_start)]
    if policy.pool_seconds_per_day is not None:
        day_start, day_end = period_bounds("day", ctx.now)
        pool_used = ctx.pool_used_seconds or 0
        if pool_used + ctx.seconds > policy.pool_seconds_per_day:
            return Denied(
                DenyCode.SERVER_POOL_EXHAUSTED,
                f"This server's shared render time for today is used up ({pool_used} of "
                f"{policy.pool_seconds_per_day} s). It resets at {_at(day_end)}.",
                "Ask a moderator to raise `settings pool`, or try a shorter clip.",
                retry_at=day_end,
            )
        reservations.append(
            Reservation(f"pool:{policy.scope_id}", ctx.seconds, policy.pool_seconds_per_day,
                        day_start)
        )
    return Granted(ctx.seconds, max_seconds, tuple(reservations), ctx.tier.priority)
