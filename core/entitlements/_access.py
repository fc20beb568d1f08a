"""Rules about the person and the place, checked before anything about the song.

A banned user or one who has not accepted the terms cannot fix anything else
first, so these come first; the channel rule next, because moving to the right
channel is the cheapest fix of all.
"""

from __future__ import annotations

from core.entitlements import _wording as say
from core.entitlements.context import EntitlementContext
from core.entitlements.decision import Denied, DenyCode


def banned(ctx: EntitlementContext) -> Denied | None:
    if ctx.user.id not in ctx.policy.banned_users:
        return None
    return Denied(
        DenyCode.USER_BANNED,
        f"A moderator has stopped your requests on this server, so I can't make "
        f"{say.song(ctx.recording)} for you here. If you think this is a mistake, "
        "ask a moderator.",
    )


def terms_accepted(ctx: EntitlementContext) -> Denied | None:
    accepted = ctx.user.terms_version
    if accepted == ctx.required_terms_version:
        return None
    then = f"then ask for {say.song(ctx.recording)} again"
    if accepted is None:
        message = (
            "Before your first cover, please read the terms (`terms`) and type "
            f"`terms accept`; {then}."
        )
    else:
        message = (
            f"The terms have changed since you accepted them (version {accepted}, now "
            f"{ctx.required_terms_version}). Please read them (`terms`) and type "
            f"`terms accept`; {then}."
        )
    return Denied(DenyCode.TERMS_NOT_ACCEPTED, message)


def channel_allowed(ctx: EntitlementContext) -> Denied | None:
    """Moderators limit covers to some channels; a request from no channel is outside them."""
    allowed = ctx.policy.allowed_channels
    if allowed is None or (ctx.channel_id is not None and ctx.channel_id in allowed):
        return None
    if not allowed:
        return Denied(
            DenyCode.CHANNEL_NOT_ALLOWED,
            f"Covers are switched off in every channel of this server, so I can't make "
            f"{say.song(ctx.recording)} here. Ask a moderator to allow a channel "
            "(`settings channels #name`).",
        )
    channels = say.join((f"#{c}" for c in sorted(allowed)), last="or")
    return Denied(
        DenyCode.CHANNEL_NOT_ALLOWED,
        f"Covers are made only in {channels} on this server. Ask for "
        f"{say.song(ctx.recording)} there.",
    )


def explicit_allowed(ctx: EntitlementContext) -> Denied | None:
    """A server's explicit-content filter applies to everyone, moderators included."""
    if not (ctx.policy.nsfw_filter and ctx.recording.explicit):
        return None
    return Denied(
        DenyCode.EXPLICIT_FILTERED,
        f"{say.song(ctx.recording)} is marked explicit by its label, and this server's "
        "moderators filter explicit songs, so I can't make it here. Pick another song, "
        "or ask in a server or chat where the filter is off.",
    )
