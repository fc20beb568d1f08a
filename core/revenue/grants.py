"""Which tier a user has right now: their own, or a paid grant's if it ranks higher.

A grant is seen the moment it is stored — the entitlement engine reads the
user through ``effective_user`` on every request — and it stops counting the
moment it ends or is ended (refund, cancellation, deleted entitlement).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import datetime

from core.model import Grant, ScopePolicy, Tier, User


def user_subject(user_id: str) -> str:
    return f"user:{user_id}"


def scope_subject(scope_id: str) -> str:
    return f"scope:{scope_id}"


def best_grant(grants: Iterable[Grant], tiers: Mapping[str, Tier], now: datetime) -> Grant | None:
    """The active grant of the highest-ranking tier (the one ending last among equals)."""
    active = [g for g in grants if g.active(now) and g.tier in tiers]
    if not active:
        return None
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return max(active, key=lambda g: (tiers[g.tier].priority, g.until or far))


def effective_user(user: User, grants: Iterable[Grant], tiers: Mapping[str, Tier], now: datetime) -> User:
    """``user`` with the tier of their best active grant when it ranks above their own."""
    grant = best_grant((g for g in grants if g.subject == user_subject(user.id)), tiers, now)
    own = tiers.get(user.tier) or tiers.get("free")
    if grant is None or (own is not None and tiers[grant.tier].priority <= own.priority):
        return user
    return dataclasses.replace(user, tier=grant.tier, tier_until=grant.until)


def effective_policy(
    policy: ScopePolicy, grants: Iterable[Grant], tiers: Mapping[str, Tier], now: datetime
) -> ScopePolicy:
    """A server subscription raises the server's shared daily pool by its tier's seconds.

    A server without a pool has no shared limit to raise, so it stays as it is.
    """
    grant = best_grant((g for g in grants if g.subject == scope_subject(policy.scope_id)), tiers, now)
    if grant is None or policy.pool_seconds_per_day is None:
        return policy
    raised = policy.pool_seconds_per_day + tiers[grant.tier].seconds_per_period
    return dataclasses.replace(policy, pool_seconds_per_day=raised)


__all__ = ["best_grant", "effective_policy", "effective_user", "scope_subject", "user_subject"]
