"""Rules about the style: the rights must allow it, then the server must not have disabled it.

Both refusals list what would work instead, so the next message a fan sends
can succeed. A voice cover in the original arrangement is not a restyling:
the voice rules govern it, and it passes both style rules.
"""

from __future__ import annotations

from core.entitlements import _wording as say
from core.entitlements._rights import Rights
from core.entitlements.context import EntitlementContext
from core.entitlements.decision import Denied, DenyCode
from core.model import Transformation
from core.stylebook import ORIGINAL_STYLE


def _exempt(ctx: EntitlementContext) -> bool:
    return ctx.transformation is Transformation.VOICE_SWAP and ctx.style == ORIGINAL_STYLE


def _example(ctx: EntitlementContext, style: str) -> str:
    """The command that asks for the same thing in ``style``."""
    verb = "remix" if ctx.transformation is Transformation.REMIX else "cover"
    voice = f' voice:"{ctx.requested_voice}"' if ctx.requested_voice else ""
    return f'`{verb} "{ctx.recording.title}"{voice} style:{style}`'


def _server_enabled(ctx: EntitlementContext, style: str) -> bool:
    allowed = ctx.policy.allowed_styles
    return allowed is None or style in allowed


def licensed_style(ctx: EntitlementContext, rights: Rights) -> Denied | None:
    if _exempt(ctx) or rights.allows_style(ctx.style):
        return None
    assert rights.styles is not None  # allows_style is True for "any style"
    title = say.song(ctx.recording)
    names = ctx.style_names
    asked = say.style_name(ctx.style, names)
    if not rights.styles:
        return Denied(
            DenyCode.STYLE_NOT_LICENSED,
            f"{title} isn't licensed in the {asked} style, nor in any other. "
            "Please pick another song.",
        )
    options = say.ordered_styles(rights.styles, names)
    listed = say.style_list(options, names)
    usable = [s for s in options if _server_enabled(ctx, s)]
    if usable:
        tail = f"— try {_example(ctx, usable[0])}."
    else:
        tail = "— but the moderators have turned all of those off here; ask a moderator."
    return Denied(
        DenyCode.STYLE_NOT_LICENSED,
        f"{title} isn't licensed in the {asked} style. Its license allows {listed} {tail}",
    )


def server_style(ctx: EntitlementContext, rights: Rights) -> Denied | None:
    if _exempt(ctx) or _server_enabled(ctx, ctx.style):
        return None
    allowed = ctx.policy.allowed_styles
    assert allowed is not None  # _server_enabled is True without a server list
    title = say.song(ctx.recording)
    names = ctx.style_names
    asked = say.style_name(ctx.style, names)
    enabled = say.ordered_styles((s for s in allowed if rights.allows_style(s)), names)
    if not enabled:
        return Denied(
            DenyCode.STYLE_DISABLED_BY_SERVER,
            f"The moderators have turned off the {asked} style on this server, and none of "
            f"the styles {title} is licensed for is enabled here. Ask a moderator "
            f"(`settings enable-style {ctx.style}`).",
        )
    return Denied(
        DenyCode.STYLE_DISABLED_BY_SERVER,
        f"The moderators have turned off the {asked} style on this server. Styles enabled "
        f"here for {title}: {say.style_list(enabled, names)} — try "
        f"{_example(ctx, enabled[0])}.",
    )
