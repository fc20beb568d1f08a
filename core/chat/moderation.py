"""Moderation: a server's (or chat's) settings, shown to all, changed by moderators, audited."""

from __future__ import annotations

from core.chat.common import AuditTrail, moderators_only
from core.chat.messages import Invocation, Reply, ReplyKind
from core.chat.settings import (
    NSFW_NOTE,
    SettingRefused,
    apply_setting,
    change_detail,
    describe_policy,
)
from core.commands import ModeratorSettingCommand, SettingKey
from core.ports import Clock, Stores
from core.requests.requester import Requester
from core.requests.service import RequestService


class Moderation:
    """``settings``, ``settings <key> …`` (moderators) and ``audit``."""

    def __init__(
        self, service: RequestService, stores: Stores, clock: Clock, trail: AuditTrail
    ) -> None:
        self._service = service
        self._stores = stores
        self._clock = clock
        self._trail = trail

    async def show(self, scope_id: str) -> Reply:
        policy = await self._stores.policies.get(scope_id)
        return Reply(describe_policy(policy), ReplyKind.INFO, ephemeral=True)

    async def change(
        self, inv: Invocation, who: Requester, command: ModeratorSettingCommand
    ) -> Reply:
        if not inv.is_moderator:
            return Reply(
                "Only moderators can change this server's settings. Ask one of them, or type "
                "`settings` to see the current ones.",
                ReplyKind.DENIED,
                code="NOT_MODERATOR",
            )
        policy = await self._stores.policies.get(inv.scope_id)
        result = await apply_setting(policy, command, self._service, self._stores.users, who)
        if isinstance(result, SettingRefused):
            return Reply(result.message, ReplyKind.ERROR, code="BAD_SETTING")
        new_policy, summary = result
        await self._stores.policies.save(new_policy)
        actor = await self._service.user_for(who)
        await self._trail.append(
            inv.scope_id, actor.id, f"settings.{command.key.value}",
            change_detail(summary, command.key, policy, new_policy),
        )
        text = f"Done: {summary}."
        if command.key is SettingKey.NSFW_FILTER:
            text += f" {NSFW_NOTE}"
        return Reply(text, ReplyKind.INFO, code="SETTING_CHANGED")

    async def audit(self, inv: Invocation, limit: int) -> Reply:
        if (refused := moderators_only(inv, "read the audit log")) is not None:
            return refused
        entries = await self._stores.audit.list(inv.scope_id, limit)
        if not entries:
            return Reply("The audit log of this server is empty.", ReplyKind.INFO, ephemeral=True)
        lines = []
        for entry in entries:
            actor = await self._stores.users.get(entry.actor_user_id)
            name = actor.display_name if actor else entry.actor_user_id
            lines.append(f"{entry.at:%Y-%m-%d %H:%M} UTC — {name}: {entry.detail}")
        return Reply("\n".join(lines), ReplyKind.INFO, ephemeral=True)
