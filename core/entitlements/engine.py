"""The entitlement engine: may this render run? Decided before any compute.

``check`` is one pure function over one ``EntitlementContext``. The rules run
in the order that gives a fan the most useful answer first: who they are and
where they ask (banned, terms, channel), then whether the song can be made at
all (opt-out, license, territory, transformation, voice, style), and only then
how much (length, cooldown, the user's quota, the server's per-member limit,
the server's pool). So a banned
user hears that they are banned, not that their quota is empty.

Moderators are exempt from the cooldown and from nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

from core.entitlements import _access, _limits, _rights, _styles, _voice
from core.entitlements._rights import Rights
from core.entitlements.context import EntitlementContext
from core.entitlements.decision import Denied, DenyCode, Granted

_PersonRule = Callable[[EntitlementContext], Denied | None]
_RightsRule = Callable[[EntitlementContext, Rights], Denied | None]

_BEFORE_LICENSE: tuple[_PersonRule, ...] = (
    _access.banned,
    _access.terms_accepted,
    _access.channel_allowed,
    _access.explicit_allowed,
    _rights.opted_out,
)

_UNDER_LICENSE: tuple[_RightsRule, ...] = (
    _rights.territory,
    _rights.transformation,
    _voice.voice,
    _styles.licensed_style,
    _styles.server_style,
    _limits.length,
    _limits.cooldown,
    _limits.user_quota,
    _limits.member_limit,
    _limits.server_pool,
)

CHECK_ORDER: tuple[DenyCode, ...] = tuple(DenyCode)
"""The order refusals take precedence in (``DenyCode`` is declared in it)."""


def check(ctx: EntitlementContext) -> Granted | Denied:
    """Grant the request with the quota reservations to store, or say why not.

    Never raises for a context that could be built (``EntitlementContext``
    rejects impossible values when constructed). The grant is provisional:
    the store must make its reservations atomically, because usage may have
    moved since the context was read.
    """
    for person_rule in _BEFORE_LICENSE:
        if (denied := person_rule(ctx)) is not None:
            return denied
    rights = _rights.licensed(ctx)
    if isinstance(rights, Denied):
        return rights
    for rule in _UNDER_LICENSE:
        if (denied := rule(ctx, rights)) is not None:
            return denied
    return _limits.grant(ctx, rights)
