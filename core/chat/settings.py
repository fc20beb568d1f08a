"""Moderator settings: applying a ``ModeratorSettingCommand`` to a scope policy.

Returns the new policy and a one-line summary for the audit log, or a
message saying why the value can't be used.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from core.commands import ModeratorSettingCommand, RefKind, SettingKey, UserRef
from core.model import ScopePolicy
from core.ports import UserRepository
from core.stylebook import STYLES, selectable_styles, style_name

if TYPE_CHECKING:
    from core.requests.service import Requester, RequestService


def _styles_or_error(values: tuple[str, ...]) -> frozenset[str] | str:
    unknown = [v for v in values if v not in STYLES]
    if unknown:
        known = ", ".join(f"`{s}`" for s in selectable_styles())
        return f"I don't know the style “{unknown[0]}”. Styles: {known}."
    return frozenset(values)


async def apply_setting(
    policy: ScopePolicy,
    command: ModeratorSettingCommand,
    service: RequestService,
    users: UserRepository,
    who: Requester,
) -> tuple[ScopePolicy, str] | str:
    key, values, number = command.key, command.values, command.number
    match key:
        case SettingKey.STYLES:
            if values is None:
                return replace(policy, allowed_styles=None), "all styles enabled"
            styles = _styles_or_error(values)
            if isinstance(styles, str):
                return styles
            return replace(policy, allowed_styles=styles), "styles set to " + ", ".join(
                sorted(styles)
            )
        case SettingKey.DISABLE_STYLE | SettingKey.ENABLE_STYLE:
            assert values
            styles = _styles_or_error(values)
            if isinstance(styles, str):
                return styles
            current = (
                set(selectable_styles()) if policy.allowed_styles is None
                else set(policy.allowed_styles)
            )
            if key is SettingKey.DISABLE_STYLE:
                current -= styles
                verb = "disabled"
            else:
                current |= styles
                verb = "enabled"
            names = ", ".join(style_name(s) for s in sorted(styles))
            allowed = None if current >= set(selectable_styles()) else frozenset(current)
            return replace(policy, allowed_styles=allowed), f"{names} style {verb}"
        case SettingKey.VOICES:
            if values is None:
                return replace(policy, allowed_voices=None), "all consented voices enabled"
            return replace(policy, allowed_voices=frozenset(values)), (
                "voices set to " + (", ".join(values) or "none")
            )
        case SettingKey.CHANNELS:
            if values is None:
                return replace(policy, allowed_channels=None), "covers allowed in every channel"
            return replace(policy, allowed_channels=frozenset(values)), (
                "covers only in " + ", ".join(f"#{c}" for c in values)
            )
        case SettingKey.MAX_LENGTH:
            text = "no server limit on clip length" if number is None else (
                f"clips limited to {number} s"
            )
            return replace(policy, max_clip_seconds=number), text
        case SettingKey.COOLDOWN:
            seconds = number or 0
            text = f"cooldown {seconds} s between requests" if seconds else "cooldown off"
            return replace(policy, cooldown_s=seconds), text
        case SettingKey.POOL:
            text = "no shared pool" if number is None else f"shared pool {number} s per day"
            return replace(policy, pool_seconds_per_day=number), text
        case SettingKey.SERVER_COUNTRY:
            country = values[0] if values else None
            text = f"server country {country}" if country else "server country cleared"
            return replace(policy, default_country=country), text
        case SettingKey.BAN | SettingKey.UNBAN:
            ref = command.value
            assert isinstance(ref, UserRef)
            target = await users.find(who.platform, ref.value)
            if target is None and ref.kind is RefKind.ID:
                # a mention is a real platform id: ban them before they ever speak
                target = await users.get_or_create(
                    who.platform, ref.value, ref.value, service.now()
                )
            if target is None:
                return (
                    f"I don't know anyone called @{ref.value} here yet. Mention them "
                    "(so I get their id) and try again."
                )
            if key is SettingKey.BAN:
                return replace(policy, banned_users=policy.banned_users | {target.id}), (
                    f"{target.display_name} banned"
                )
            return replace(policy, banned_users=policy.banned_users - {target.id}), (
                f"{target.display_name} unbanned"
            )
    return f"I can't change `{key.value}` yet."


def describe_policy(policy: ScopePolicy) -> str:
    def listing(items: frozenset[str] | None, every: str) -> str:
        return every if items is None else (", ".join(sorted(items)) or "none")

    return "\n".join(
        [
            "This server's settings:",
            f"• styles: {listing(policy.allowed_styles, 'all')}",
            f"• voices: {listing(policy.allowed_voices, 'all consented')}",
            f"• channels: {listing(policy.allowed_channels, 'all')}",
            f"• max clip length: "
            f"{'tier limit' if policy.max_clip_seconds is None else f'{policy.max_clip_seconds} s'}",
            f"• cooldown: {policy.cooldown_s} s",
            f"• shared pool: "
            f"{'off' if policy.pool_seconds_per_day is None else f'{policy.pool_seconds_per_day} s/day'}",
            f"• server country: {policy.default_country or 'not set'}",
            f"• banned users: {len(policy.banned_users)}",
        ]
    )
