"""Rules about how much: clip length, cooldown, the user's quota, the server's per-member
limit and the server's pool.

These come last because they are the easiest to fix (a shorter ``length:``, a
short wait) and a fan should first learn whether the song can be made at all.
Quota refusals say when the time comes back, to the minute, in UTC.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.entitlements import _wording as say
from core.entitlements._rights import Rights
from core.entitlements.context import EntitlementContext
from core.entitlements.decision import Denied, DenyCode, Granted
from core.entitlements.tiers import DEFAULT_TIERS, Period, period_bounds
from core.ports import Reservation


class LimitSource(enum.Enum):
    """Who sets a clip-length limit, which decides what a fan can do about it."""

    SERVER = "server"
    LICENSE = "license"
    TIER = "tier"


@dataclass(frozen=True)
class ClipLimit:
    """The longest clip allowed and which limit sets it (server, license or tier)."""

    seconds: int
    source: LimitSource


def clip_limit(ctx: EntitlementContext, rights: Rights) -> ClipLimit:
    """The smallest of the tier's, the license's (for this tier) and the server's maximum.

    On a tie the server's limit is named first, then the license's: those are
    the ones a better tier would not lift, so naming the tier would mislead.
    """
    candidates: list[ClipLimit] = []
    if ctx.policy.max_clip_seconds is not None:
        candidates.append(ClipLimit(ctx.policy.max_clip_seconds, LimitSource.SERVER))
    license_max = rights.max_seconds(ctx.tier.name)
    if license_max is not None:
        candidates.append(ClipLimit(license_max, LimitSource.LICENSE))
    candidates.append(ClipLimit(ctx.tier.max_clip_seconds, LimitSource.TIER))
    return min(candidates, key=lambda c: c.seconds)


def _longer_elsewhere(ctx: EntitlementContext, rights: Rights, limit: int) -> int | None:
    """The longest clip of this song another default tier would allow, if longer."""
    best = None
    for tier in DEFAULT_TIERS.values():
        caps = [tier.max_clip_seconds]
        if (license_max := rights.max_seconds(tier.name)) is not None:
            caps.append(license_max)
        if ctx.policy.max_clip_seconds is not None:
            caps.append(ctx.policy.max_clip_seconds)
        if min(caps) > limit and (best is None or min(caps) > best):
            best = min(caps)
    return best


def _cut_to_song(ctx: EntitlementContext) -> bool:
    return ctx.asked_seconds is not None and ctx.asked_seconds > ctx.seconds


def _asked(ctx: EntitlementContext) -> str:
    """The length the fan typed, with the song's when the clip was cut to it."""
    if _cut_to_song(ctx):
        return f"{ctx.asked_seconds} s (the song is {ctx.seconds} s long)"
    return f"{ctx.seconds} s"


def _asked_of(ctx: EntitlementContext, title: str) -> str:
    if _cut_to_song(ctx):
        return f"you asked for {ctx.asked_seconds} s of {title}, which is {ctx.seconds} s long"
    return f"you asked for {ctx.seconds} s of {title}"


def length(ctx: EntitlementContext, rights: Rights) -> Denied | None:
    limit = clip_limit(ctx, rights)
    if ctx.seconds <= limit.seconds:
        return None
    title = say.song(ctx.recording)
    retry = f"Ask again with `length:{limit.seconds}` or less"
    asked = _asked_of(ctx, title)
    if limit.source is LimitSource.SERVER:
        return Denied(
            DenyCode.CLIP_TOO_LONG,
            f"This server's moderators limit clips to {limit.seconds} s, and {asked}. {retry}.",
            "Moderators can change the limit with `settings max-length`.",
        )
    upgrade = _longer_elsewhere(ctx, rights, limit.seconds)
    more = f", or use a higher tier for clips of up to {upgrade} s" if upgrade else ""
    if upgrade and _cut_to_song(ctx) and upgrade >= ctx.seconds:
        more = ", or use a higher tier for the whole song"
    if limit.source is LimitSource.LICENSE:
        return Denied(
            DenyCode.CLIP_TOO_LONG,
            f"The rights holders allow clips of {title} up to {limit.seconds} s on the "
            f"{ctx.tier.name} tier, and you asked for {_asked(ctx)}. {retry}{more}.",
            tier_helps=upgrade is not None,
        )
    return Denied(
        DenyCode.CLIP_TOO_LONG,
        f"Clips on the {ctx.tier.name} tier can be up to {limit.seconds} s, and {asked}. "
        f"{retry}{more}.",
        tier_helps=upgrade is not None,
    )


def cooldown(ctx: EntitlementContext, rights: Rights) -> Denied | None:
    """One request per ``cooldown_s`` per user in a scope; moderators are exempt."""
    wait_for = ctx.policy.cooldown_s
    if ctx.is_moderator or wait_for <= 0 or ctx.last_request_at is None:
        return None
    ready = ctx.last_request_at + timedelta(seconds=wait_for)
    if ctx.now >= ready:
        return None
    wait = say.wait_seconds(ready, ctx.now)
    return Denied(
        DenyCode.COOLDOWN,
        f"This server allows one request every {say.duration(wait_for)}. You can ask for "
        f"{say.song(ctx.recording)} again in {say.duration(wait)} "
        f"({say.clock_time(ready, ctx.now)}).",
        retry_at=ready,
    )


def user_quota(ctx: EntitlementContext, rights: Rights) -> Denied | None:
    limit = ctx.tier.seconds_per_period
    used = ctx.user_used_seconds
    if used + ctx.seconds <= limit:
        return None
    _, end = period_bounds(ctx.tier.period, ctx.now)
    when = say.period_word(ctx.tier.period)
    resets = say.resets(end, ctx.now)
    title = say.song(ctx.recording)
    left = max(0, limit - used)
    if left:
        message = (
            f"You have {left} of your {limit} render-seconds left {when}, and {title} at "
            f"{ctx.seconds} s needs {ctx.seconds}. Ask for `length:{left}` or less, or wait: "
            f"your time {resets}."
        )
    else:
        message = (
            f"You've used all {limit} of your render-seconds {when}, so {title} has to wait: "
            f"your time {resets}. Ask again then."
        )
    more = any(t.seconds_per_period > limit for t in DEFAULT_TIERS.values())
    return Denied(
        DenyCode.USER_QUOTA_EXHAUSTED,
        message,
        "Higher tiers get more render time." if more else None,
        retry_at=end,
        tier_helps=more,
    )


MAX_ACCOUNT_CHARS = 160
"""Quota account names are stored in 160 characters."""


def member_account(scope_id: str, user_id: str) -> str:
    """The quota account of one member's daily seconds in one scope.

    Readable (``member:<scope>:<user>``) for real platform scope ids; a scope id
    long enough to overflow the column is replaced by its digest, which keeps
    the account unique per scope.
    """
    account = f"member:{scope_id}:{user_id}"
    if len(account) <= MAX_ACCOUNT_CHARS:
        return account
    digest = hashlib.sha256(scope_id.encode()).hexdigest()[:32]
    return f"member:{digest}:{user_id}"


def member_limit(ctx: EntitlementContext, rights: Rights) -> Denied | None:
    """Each member's render-seconds per UTC day in this scope, set by its moderators.

    It sits between the user's own quota and the shared pool: it is about
    this user, but a better tier does not lift it, so the words say who sets it.
    """
    limit = ctx.policy.user_seconds_per_day
    over = _daily_overrun(ctx, limit, ctx.member_used_seconds)
    if over is None or limit is None:
        return None
    left, title, resets, end = over
    if left:
        message = (
            f"This server lets each member render {limit} s a day, and you have {left} s "
            f"left today; {title} at {ctx.seconds} s needs {ctx.seconds}. Ask for "
            f"`length:{left}` or less, or wait: your time here {resets}."
        )
    else:
        message = (
            f"This server lets each member render {limit} s a day, and you've used it all, "
            f"so {title} has to wait: your time here {resets}. Ask again then."
        )
    return Denied(
        DenyCode.MEMBER_LIMIT_EXHAUSTED,
        message,
        "Moderators can change it with `settings user-limit`.",
        retry_at=end,
    )


def _daily_overrun(
    ctx: EntitlementContext, limit: int | None, used_seconds: int | None
) -> tuple[int, str, str, datetime] | None:
    """(seconds left, song words, reset words, reset time) when a daily limit is exceeded."""
    used = used_seconds or 0
    if limit is None or used + ctx.seconds <= limit:
        return None
    _, end = period_bounds(Period.DAY, ctx.now)
    return max(0, limit - used), say.song(ctx.recording), say.resets(end, ctx.now), end


def server_pool(ctx: EntitlementContext, rights: Rights) -> Denied | None:
    limit = ctx.policy.pool_seconds_per_day
    over = _daily_overrun(ctx, limit, ctx.pool_used_seconds)
    if over is None or limit is None:
        return None
    left, title, resets, end = over
    if left:
        message = (
            f"This server's shared render time has {left} of {limit} s left today, and "
            f"{title} at {ctx.seconds} s needs {ctx.seconds}. Ask for `length:{left}` or "
            f"less, or wait: it {resets}."
        )
    else:
        message = (
            f"This server's shared render time ({limit} s a day) is used up, so {title} has "
            f"to wait: it {resets}. Ask again then."
        )
    return Denied(
        DenyCode.SERVER_POOL_EXHAUSTED,
        message,
        "Moderators can raise it with `settings pool`.",
        retry_at=end,
    )


def grant(ctx: EntitlementContext, rights: Rights) -> Granted:
    """The grant and the reservations the store must make atomically with the request."""
    start, _ = period_bounds(ctx.tier.period, ctx.now)
    reservations = [
        Reservation(f"user:{ctx.user.id}", ctx.seconds, ctx.tier.seconds_per_period, start)
    ]
    day_start, _ = period_bounds(Period.DAY, ctx.now)
    member = ctx.policy.user_seconds_per_day
    if member is not None:
        reservations.append(
            Reservation(member_account(ctx.policy.scope_id, ctx.user.id), ctx.seconds, member,
                        day_start)
        )
    pool = ctx.policy.pool_seconds_per_day
    if pool is not None:
        reservations.append(
            Reservation(f"pool:{ctx.policy.scope_id}", ctx.seconds, pool, day_start)
        )
    return Granted(
        seconds=ctx.seconds,
        max_seconds=clip_limit(ctx, rights).seconds,
        reservations=tuple(reservations),
        priority=ctx.tier.priority,
    )
