"""Per-scope (guild or chat) moderator policies."""

from __future__ import annotations

from core.model import ScopePolicy
from storage.schema import ScopePolicyRow
from storage.sessions import Sessions


def _listed(values: frozenset[str] | None) -> list[str] | None:
    return None if values is None else sorted(values)


def _frozen(values: list[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


def policy_row(policy: ScopePolicy) -> ScopePolicyRow:
    return ScopePolicyRow(
        scope_id=policy.scope_id,
        allowed_styles=_listed(policy.allowed_styles),
        allowed_voices=_listed(policy.allowed_voices),
        allowed_channels=_listed(policy.allowed_channels),
        max_clip_seconds=policy.max_clip_seconds,
        cooldown_s=policy.cooldown_s,
        banned_users=sorted(policy.banned_users),
        pool_seconds_per_day=policy.pool_seconds_per_day,
        default_country=policy.default_country,
        user_seconds_per_day=policy.user_seconds_per_day,
        nsfw_filter=policy.nsfw_filter,
    )


def policy_of(row: ScopePolicyRow) -> ScopePolicy:
    return ScopePolicy(
        scope_id=row.scope_id,
        allowed_styles=_frozen(row.allowed_styles),
        allowed_voices=_frozen(row.allowed_voices),
        allowed_channels=_frozen(row.allowed_channels),
        max_clip_seconds=row.max_clip_seconds,
        cooldown_s=row.cooldown_s,
        banned_users=frozenset(row.banned_users),
        pool_seconds_per_day=row.pool_seconds_per_day,
        default_country=row.default_country,
        user_seconds_per_day=row.user_seconds_per_day,
        nsfw_filter=bool(row.nsfw_filter),
    )


class SqlPolicyRepository:
    """``core.ports.PolicyRepository`` on SQL."""

    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    async def get(self, scope_id: str) -> ScopePolicy:
        """The scope's policy, or the permissive default when none is stored."""
        async with self._db.read() as session:
            row = await session.get(ScopePolicyRow, scope_id)
            return ScopePolicy(scope_id=scope_id) if row is None else policy_of(row)

    async def save(self, policy: ScopePolicy) -> None:
        """Store the whole policy, replacing what the scope had."""
        async with self._db.write() as session:
            await session.merge(policy_row(policy))
