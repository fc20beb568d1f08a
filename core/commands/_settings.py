"""Moderator settings as typed values: which key, and what exactly was asked.

The parser resolves "lo-fi" to a style id, ``<#123>`` to a channel id and
``30s`` to seconds here, so the use case that applies a setting never looks
at raw text. Whether the author may change settings is decided there, from
their roles, not by the grammar.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TypeAlias


class SettingKey(enum.Enum):
    """A scope-policy setting; the value is what moderators type after ``settings``."""

    STYLES = "styles"
    DISABLE_STYLE = "disable-style"
    ENABLE_STYLE = "enable-style"
    VOICES = "voices"
    CHANNELS = "channels"
    MAX_LENGTH = "max-length"
    COOLDOWN = "cooldown"
    POOL = "pool"
    USER_LIMIT = "user-limit"  # render-seconds per member per day, within the pool
    SERVER_COUNTRY = "server-country"  # `settings country` is the user's own country
    BAN = "ban"
    UNBAN = "unban"
    NSFW_FILTER = "nsfw-filter"


class RefKind(enum.Enum):
    """How a user or channel was named: a platform id is exact, a name needs a lookup."""

    ID = "ID"
    NAME = "NAME"


@dataclass(frozen=True)
class UserRef:
    """``<@123>`` or ``123`` (``ID``), or ``@name`` (``NAME``, without the ``@``)."""

    kind: RefKind
    value: str


@dataclass(frozen=True)
class ChannelRef:
    """``<#123>`` or ``123`` (``ID``), or ``#general`` (``NAME``, without the ``#``)."""

    kind: RefKind
    value: str


@dataclass(frozen=True)
class StyleList:
    """Style ids for ``styles``, ``disable-style`` and ``enable-style``.

    ``None`` means every style the license allows (``settings styles all``);
    ``()`` means none. The toggles always carry at least one style.
    """

    styles: tuple[str, ...] | None


@dataclass(frozen=True)
class VoiceList:
    """Voice names as typed; ``None`` is ``all``, ``()`` is ``none``."""

    voices: tuple[str, ...] | None


@dataclass(frozen=True)
class ChannelList:
    """Channels where covers may be asked for; ``None`` is every channel."""

    channels: tuple[ChannelRef, ...] | None


@dataclass(frozen=True)
class Duration:
    """Seconds for ``max-length``, ``cooldown``, ``pool`` and ``user-limit``; ``None`` is off.

    A cooldown that is off is ``0`` rather than ``None`` because the policy
    stores it as a plain number of seconds.
    """

    seconds: int | None


@dataclass(frozen=True)
class CountryChoice:
    """An ISO 3166-1 alpha-2 code, upper case; ``None`` clears it."""

    code: str | None


@dataclass(frozen=True)
class Switch:
    """``on`` or ``off`` for a setting that is either (``nsfw-filter``)."""

    on: bool


SettingValue: TypeAlias = (
    StyleList | VoiceList | ChannelList | Duration | CountryChoice | UserRef | Switch
)

VALUE_TYPES: dict[SettingKey, type[SettingValue]] = {
    SettingKey.STYLES: StyleList,
    SettingKey.DISABLE_STYLE: StyleList,
    SettingKey.ENABLE_STYLE: StyleList,
    SettingKey.VOICES: VoiceList,
    SettingKey.CHANNELS: ChannelList,
    SettingKey.MAX_LENGTH: Duration,
    SettingKey.COOLDOWN: Duration,
    SettingKey.POOL: Duration,
    SettingKey.USER_LIMIT: Duration,
    SettingKey.SERVER_COUNTRY: CountryChoice,
    SettingKey.BAN: UserRef,
    SettingKey.UNBAN: UserRef,
    SettingKey.NSFW_FILTER: Switch,
}
"""The one value type each key takes; ``ModeratorSettingCommand`` enforces it."""
