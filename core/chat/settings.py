"""Moderator settings: applying a ``ModeratorSettingCommand`` to a scope policy.

``apply_setting`` returns the new policy and a one-line summary for the audit
log, or a ``SettingRefused`` saying why the value can't be used. ``describe_setting``
words one setting's current value exactly as ``describe_policy`` lists it, so
the audit log can say what a change was from and to in the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from core.commands import ModeratorSettingCommand, RefKind, SettingKey, Switch, UserRef
from core.model import ScopePolicy
from core.ports import UserRepository
from core.stylebook import STYLES, selectable_styles, style_name

if TYPE_CHECKING:
    from core.requests.requester import Requester
    from core.requests.service import RequestService


@dataclass(frozen=True)
class SettingRefused:
    """A value a moderator typed that cannot be used; ``message`` says why (a value, not raised)."""

    message: str


def _styles_or_error(values: tuple[str, ...]) -> frozenset[str] | SettingRefused:
    unknown = [v for v in values if v not in STYLES]
    if unknown:
        known = ", ".join(f"`{s}`" for s in selectable_styles())
        return SettingRefused(f"I don't know the style “{unknown[0]}”. Styles: {known}.")
    return frozenset(values)


async def apply_setting(
    policy: ScopePolicy,
    command: ModeratorSettingCommand,
    service: RequestService,
    users: UserRepository,
    who: Requester,
) -> tuple[ScopePolicy, str] | SettingRefused:
    key, values, number = command.key, command.values, command.number
    match key:
        case SettingKey.STYLES:
            if values is None:
                return replace(policy, allowed_styles=None), "all styles enabled"
            styles = _styles_or_error(values)
            if isinstance(styles, SettingRefused):
                return styles
            return replace(policy, allowed_styles=styles), "styles set to " + ", ".join(
                sorted(styles)
            )
        case SettingKey.DISABLE_STYLE | SettingKey.ENABLE_STYLE:
            assert values
            styles = _styles_or_error(values)
            if isinstance(styles, SettingRefused):
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
        case SettingKey.USER_LIMIT:
            text = "no per-member limit" if number is None else (
                f"each member may render {number} s per day"
            )
            return replace(policy, user_seconds_per_day=number), text
        case SettingKey.NSFW_FILTER:
            switch = command.value
            assert isinstance(switch, Switch)
            return replace(policy, nsfw_filter=switch.on), (
                f"NSFW filter {'on' if switch.on else 'off'}"
            )
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
                return SettingRefused(
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
    return SettingRefused(f"I can't change `{key.value}` yet.")


NSFW_NOTE = (
    "With the filter on, songs their label marks explicit are refused here (and say why). "
    "Refrain takes no free-text prompts: songs come from the licensed catalog, styles and "
    "voices from fixed lists, so there is nothing else for a filter to catch."
)
"""What ``nsfw-filter`` can and cannot do here, said wherever the setting is shown."""


def _listing(items: frozenset[str] | None, every: str) -> str:
    return every if items is None else (", ".join(sorted(items)) or "none")


def _seconds(value: int | None, off: str, unit: str = "s") -> str:
    return off if value is None else f"{value} {unit}"


_SHOWN: tuple[tuple[str, Callable[[ScopePolicy], str]], ...] = (
    ("styles", lambda p: _listing(p.allowed_styles, "all")),
    ("voices", lambda p: _listing(p.allowed_voices, "all consented")),
    ("channels", lambda p: _listing(p.allowed_channels, "all")),
    ("max clip length", lambda p: _seconds(p.max_clip_seconds, "tier limit")),
    ("cooldown", lambda p: f"{p.cooldown_s} s"),
    ("shared pool", lambda p: _seconds(p.pool_seconds_per_day, "off", "s/day")),
    ("per-member limit", lambda p: _seconds(p.user_seconds_per_day, "off", "s/day")),
    ("server country", lambda p: p.default_country or "not set"),
    ("NSFW filter", lambda p: "on" if p.nsfw_filter else "off"),
    ("banned users", lambda p: str(len(p.banned_users))),
)
_SHOWN_BY_LABEL = dict(_SHOWN)

_LABEL_OF: dict[SettingKey, str] = {
    SettingKey.STYLES: "styles",
    SettingKey.DISABLE_STYLE: "styles",
    SettingKey.ENABLE_STYLE: "styles",
    SettingKey.VOICES: "voices",
    SettingKey.CHANNELS: "channels",
    SettingKey.MAX_LENGTH: "max clip length",
    SettingKey.COOLDOWN: "cooldown",
    SettingKey.POOL: "shared pool",
    SettingKey.USER_LIMIT: "per-member limit",
    SettingKey.SERVER_COUNTRY: "server country",
    SettingKey.NSFW_FILTER: "NSFW filter",
    SettingKey.BAN: "banned users",
    SettingKey.UNBAN: "banned users",
}


def describe_setting(policy: ScopePolicy, key: SettingKey) -> str:
    """The value ``key`` changes, worded as ``describe_policy`` shows it (``"120 s"``)."""
    return _SHOWN_BY_LABEL[_LABEL_OF[key]](policy)


def change_detail(summary: str, key: SettingKey, before: ScopePolicy, after: ScopePolicy) -> str:
    """The audit line of a change: what was done, and the value before → after.

    ``"cooldown 120 s between requests (cooldown: 0 s → 120 s)"``.
    """
    old, new = describe_setting(before, key), describe_setting(after, key)
    same = " (unchanged)" if old == new else ""
    return f"{summary} ({_LABEL_OF[key]}: {old} → {new}{same})"


def describe_policy(policy: ScopePolicy) -> str:
    lines = ["This server's settings:"]
    lines += [f"• {label}: {shown(policy)}" for label, shown in _SHOWN]
    if policy.nsfw_filter:
        lines.append(NSFW_NOTE)
    return "\n".join(lines)
