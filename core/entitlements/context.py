"""Everything the engine needs to decide one request, gathered by the caller.

The caller does the I/O (loads the user, policy, license, opt declaration,
voice model, quota usage) and the engine stays a pure function of this value,
which makes every rule testable without storage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from core.entitlements.tiers import Period
from core.model import (
    License,
    OptDeclaration,
    Recording,
    ScopePolicy,
    Tier,
    Transformation,
    User,
    VoiceModel,
    Work,
)


def _aware(name: str, moment: datetime | None) -> None:
    if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
        raise ValueError(f"{name} must be timezone-aware UTC, got {moment!r}")


@dataclass(frozen=True)
class EntitlementContext:
    """One render request and its surroundings, as the engine sees them.

    Attributes:
        user: who asks.
        tier: the user's tier (its ``period`` must be a ``Period`` value).
        policy: the moderators' settings of the scope (guild or chat).
        channel_id: where in the scope the request was made (``None``: no channel).
        is_moderator: moderators skip the cooldown, nothing else.
        recording: the song; ``work``: its composition.
        license: the recording's current license version, revoked or not.
        opt: the newest opt declaration for the work or the recording.
        voice_model: the requested voice, resolved by the caller (``None`` if
            none was asked for or the name matched nothing).
        requested_voice: the voice name as typed, so an unknown one can be quoted.
        transformation: what the request does.
        style: the style id.
        seconds: the clip length asked for (the caller fills in its default),
            never longer than the song.
        asked_seconds: the length the fan typed, when it was longer than the
            song and ``seconds`` was cut to the song's length, so a refusal
            quotes what they asked for rather than a number they never typed.
        territory: the user's country, else the scope default, else ``WW``.
        country_how: how the asker sets a country (a chat command, or the CLI's
            ``--country``), so a territory refusal names what they can type.
        user_used_seconds: the user's reserved minus refunded seconds this period.
        pool_used_seconds: the scope pool's usage today, ``None`` without a pool.
        member_used_seconds: the user's usage in this scope today, ``None``
            when the scope sets no per-member limit (``user_seconds_per_day``).
        last_request_at: when the user last asked in this scope (for the cooldown).
        required_terms_version: the terms version users must have accepted.
        now: the decision time, aware UTC.
        style_names: style id → display name, for the words of a refusal;
            its order is the order styles are suggested in.

    Raises:
        ValueError: when built with a naive time, a non-positive length,
            negative usage or an unknown tier period, so that ``check`` never
            has to fail on a value that cannot be right.
    """

    user: User
    tier: Tier
    policy: ScopePolicy
    channel_id: str | None
    is_moderator: bool
    recording: Recording
    work: Work
    license: License | None
    opt: OptDeclaration | None
    voice_model: VoiceModel | None
    requested_voice: str | None
    transformation: Transformation
    style: str
    seconds: int
    territory: str
    user_used_seconds: int
    pool_used_seconds: int | None
    last_request_at: datetime | None
    required_terms_version: str
    now: datetime
    style_names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    member_used_seconds: int | None = None
    country_how: str = "settings country"
    asked_seconds: int | None = None

    def __post_init__(self) -> None:
        if self.seconds < 1:
            raise ValueError(f"a clip lasts at least 1 s, got {self.seconds}")
        if self.user_used_seconds < 0 or any(
            used is not None and used < 0
            for used in (self.pool_used_seconds, self.member_used_seconds)
        ):
            raise ValueError("quota usage cannot be negative")
        Period(self.tier.period)  # raises ValueError for an unknown period
        _aware("now", self.now)
        _aware("last_request_at", self.last_request_at)
        if self.license is not None:
            terms = self.license.terms
            _aware("license.revoked_at", self.license.revoked_at)
            _aware("license.terms.valid_from", terms.valid_from)
            _aware("license.terms.valid_to", terms.valid_to)
        if self.voice_model is not None:
            _aware("voice_model.revoked_at", self.voice_model.revoked_at)
