"""What the entitlement engine answers: a grant with its reservations, or a refusal.

A refusal carries a stable ``DenyCode`` for programs (adapters pick buttons by
it, tests assert it) and words for people; the words are built by the engine
so that every platform says the same thing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from core.ports import Reservation


class DenyCode(enum.Enum):
    """Why a render may not run, in the order the engine checks them."""

    USER_BANNED = "USER_BANNED"
    TERMS_NOT_ACCEPTED = "TERMS_NOT_ACCEPTED"
    CHANNEL_NOT_ALLOWED = "CHANNEL_NOT_ALLOWED"
    EXPLICIT_FILTERED = "EXPLICIT_FILTERED"  # an explicit recording on a server with nsfw-filter on
    WORK_OPTED_OUT = "WORK_OPTED_OUT"
    NOT_LICENSED = "NOT_LICENSED"
    TERRITORY = "TERRITORY"
    TRANSFORMATION_NOT_LICENSED = "TRANSFORMATION_NOT_LICENSED"
    VOICE_UNKNOWN = "VOICE_UNKNOWN"
    VOICE_REVOKED = "VOICE_REVOKED"
    VOICE_NOT_CONSENTED = "VOICE_NOT_CONSENTED"
    STYLE_NOT_LICENSED = "STYLE_NOT_LICENSED"
    STYLE_DISABLED_BY_SERVER = "STYLE_DISABLED_BY_SERVER"
    CLIP_TOO_LONG = "CLIP_TOO_LONG"
    COOLDOWN = "COOLDOWN"
    USER_QUOTA_EXHAUSTED = "USER_QUOTA_EXHAUSTED"
    MEMBER_LIMIT_EXHAUSTED = "MEMBER_LIMIT_EXHAUSTED"  # the server's per-member daily limit
    SERVER_POOL_EXHAUSTED = "SERVER_POOL_EXHAUSTED"


@dataclass(frozen=True)
class Denied:
    """A refusal a person can act on.

    Attributes:
        code: the reason, for programs.
        message: complete on its own: names the song, style or voice and says
            what to do instead (adapters may show only this).
        hint: an optional second tip (another way out), shown after the message.
        retry_at: when asking again will work by itself (cooldowns, quota
            resets, a license that starts later), aware UTC; ``None`` when
            waiting does not help.
        tier_helps: a higher tier would allow it (quota, the tier's clip length),
            so adapters may offer an upgrade — never on refusals a tier cannot change.
    """

    code: DenyCode
    message: str
    hint: str | None = None
    retry_at: datetime | None = None
    tier_helps: bool = False


@dataclass(frozen=True)
class Granted:
    """Permission to render ``seconds`` of audio, once the reservations are stored.

    The engine decides on numbers read a moment ago; the store re-checks each
    reservation atomically against its ``limit``, so two concurrent grants can
    never overdraw an account.

    Attributes:
        seconds: the clip length to render and to charge.
        max_seconds: the longest clip this user may ask for here (tier, license
            and server limits together), for "up to N s" hints.
        reservations: ``user:<id>`` on the tier's period; when the server
            limits each member, ``member:<scope id>:<user id>`` on the UTC day;
            when it has a shared pool, ``pool:<scope id>`` on the UTC day.
        priority: queue priority of the user's tier (higher goes first).
    """

    seconds: int
    max_seconds: int
    reservations: tuple[Reservation, ...]
    priority: int
