"""What a batch of submits reads, read once for the whole batch.

A burst of requests (a server's "everyone cover this!" moment) is mostly
the same few songs, scopes and users. Reading the idempotency keys, users,
balances and last-request times of the whole batch in a handful of queries,
and each song's rights once, is what lets a thousand submits be answered in
a few seconds instead of one database round trip after another.

The snapshot is also the batch's memory: a grant reserves its seconds and
sets the cooldown clock here, so later requests of the same batch are
checked as if the earlier ones had already been stored (the write checks
the balances again, atomically, in ``RequestRepository.create_many``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from core.entitlements import member_account, period_bounds
from core.model import (
    License,
    OptDeclaration,
    Recording,
    RenderRequest,
    ScopePolicy,
    SubjectKind,
    Tier,
    User,
    VoiceModel,
    Work,
)
from core.ports import Reservation, Stores
from core.requests.requester import Requester
from core.revenue import effective_policy, effective_user, scope_subject, user_subject


def idempotency_key(who: Requester) -> str:
    """One request per platform message: a retried delivery of it is the same request."""
    return f"{who.platform}:{who.message_id}"


@dataclass
class SubmitSnapshot:
    """Reads shared by one batch of submits, and the grants made so far in it."""

    stores: Stores
    existing: dict[str, RenderRequest]
    users: dict[tuple[str, str], User]
    used: dict[tuple[str, datetime], int]
    last_request: dict[tuple[str, str], datetime]
    failed_users: dict[tuple[str, str], Exception] = field(default_factory=dict)
    planned_keys: set[str] = field(default_factory=set)
    _policies: dict[str, ScopePolicy] = field(default_factory=dict)
    _recordings: dict[str, Recording | None] = field(default_factory=dict)
    _works: dict[str, Work | None] = field(default_factory=dict)
    _licenses: dict[str, License | None] = field(default_factory=dict)
    _opts: dict[tuple[SubjectKind, str], list[OptDeclaration]] = field(default_factory=dict)
    _voices: list[VoiceModel] | None = None
    tiers: Mapping[str, Tier] | None = None  # with it, server subscriptions raise pools
    now: datetime | None = None

    @classmethod
    async def load(
        cls,
        stores: Stores,
        batch: Sequence[Requester],
        now: datetime,
        tier_of: Callable[[User], Tier],
        tiers: Mapping[str, Tier] | None = None,
    ) -> SubmitSnapshot:
        existing = await stores.requests.get_by_idempotency_keys(
            [idempotency_key(who) for who in batch]
        )
        users = await stores.users.find_many([(w.platform, w.platform_user_id) for w in batch])
        failed: dict[tuple[str, str], Exception] = {}
        for who in batch:
            identity = (who.platform, who.platform_user_id)
            known = users.get(identity)
            if identity in failed or (known is not None and known.display_name == who.display_name):
                continue
            # first sight, or a new name: the one write a read cannot replace
            try:
                users[identity] = await stores.users.get_or_create(
                    who.platform, who.platform_user_id, who.display_name, now
                )
            except Exception as exc:  # this sender's requests fail, not the batch's
                failed[identity] = exc
                users.pop(identity, None)
        if tiers is not None and users:  # paid grants lift tiers from the moment they exist
            grants = await stores.grants.active_grants(
                sorted({user_subject(u.id) for u in users.values()}), now
            )
            users = {k: effective_user(u, grants, tiers, now) for k, u in users.items()}
        day_start, _ = period_bounds("day", now)
        accounts: list[tuple[str, datetime]] = []
        pairs: list[tuple[str, str]] = []
        for who in batch:
            user = users.get((who.platform, who.platform_user_id))
            if user is None:
                continue
            period_start, _ = period_bounds(tier_of(user).period, now)
            accounts += [
                (f"user:{user.id}", period_start),
                (f"pool:{who.scope_id}", day_start),
                (member_account(who.scope_id, user.id), day_start),
            ]
            pairs.append((user.id, who.scope_id))
        used = await stores.quota.used_seconds_many(accounts)
        last_request = await stores.requests.last_created_at_many(pairs)
        return cls(stores, existing, users, used, last_request, failed_users=failed, tiers=tiers,
                   now=now)

    def user(self, who: Requester) -> User:
        """The sender, or the error that kept them from being stored (raised)."""
        identity = (who.platform, who.platform_user_id)
        if identity in self.failed_users:
            raise self.failed_users[identity]
        return self.users[identity]

    def used_seconds(self, account: str, period_start: datetime) -> int:
        return self.used.get((account, period_start), 0)

    def granted(self, request: RenderRequest, reservations: Sequence[Reservation]) -> None:
        """Count a grant of this batch: its seconds, its cooldown, its key."""
        for r in reservations:
            key = (r.account, r.period_start)
            self.used[key] = self.used.get(key, 0) + r.seconds
        self.last_request[(request.user_id, request.scope_id)] = request.created_at
        self.planned_keys.add(request.idempotency_key)

    async def policy(self, scope_id: str) -> ScopePolicy:
        return await _cached(self._policies, scope_id, lambda: self._policy(scope_id))

    async def _policy(self, scope_id: str) -> ScopePolicy:
        policy = await self.stores.policies.get(scope_id)
        if self.tiers is None or self.now is None or policy.pool_seconds_per_day is None:
            return policy
        grants = await self.stores.grants.active_grants([scope_subject(scope_id)], self.now)
        return effective_policy(policy, grants, self.tiers, self.now)

    async def recording(self, recording_id: str) -> Recording | None:
        catalog = self.stores.catalog
        return await _cached(
            self._recordings, recording_id, lambda: catalog.get_recording(recording_id)
        )

    async def work(self, work_id: str) -> Work | None:
        return await _cached(self._works, work_id, lambda: self.stores.catalog.get_work(work_id))

    async def license(self, recording_id: str) -> License | None:
        catalog = self.stores.catalog
        return await _cached(
            self._licenses, recording_id, lambda: catalog.current_license(recording_id)
        )

    async def opt_declarations(self, kind: SubjectKind, subject_id: str) -> list[OptDeclaration]:
        catalog = self.stores.catalog
        return await _cached(
            self._opts, (kind, subject_id), lambda: catalog.opt_declarations(kind, subject_id)
        )

    async def voices(self) -> list[VoiceModel]:
        if self._voices is None:
            self._voices = await self.stores.catalog.list_voice_models()
        return self._voices



K = TypeVar("K")
V = TypeVar("V")


async def _cached(cache: dict[K, V], key: K, load: Callable[[], Awaitable[V]]) -> V:
    """``cache[key]``, loaded once per batch."""
    if key not in cache:
        cache[key] = await load()
    return cache[key]
