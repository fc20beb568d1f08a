"""Domain values shared by every part of Refrain.

These are plain frozen dataclasses and enums: the vocabulary that the catalog,
licensing, entitlements, requests and storage all speak. Storage maps them to
rows; adapters never see rows. Money and fractions are exact (``Fraction``),
times are timezone-aware UTC.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

WORLDWIDE = "WW"
"""Territory code meaning 'everywhere' for shares and licenses, 'unknown' for users."""

UNCLAIMED_PARTY_ID = "party-unclaimed"
"""Receives the part of a right nobody claims, so nothing is ever lost."""

ESCROW_PARTY_ID = "party-escrow"
"""Holds money owed to revoked voices or opted-out works until resolved."""


class RightType(enum.Enum):
    PERF = "PERF"
    MECH = "MECH"
    MASTER = "MASTER"
    LIKENESS = "LIKENESS"
    REMIXER = "REMIXER"


class Transformation(enum.Enum):
    """What a request does to a recording; licenses grant these one by one."""

    COVER = "COVER"  # re-arrangement of the composition in a style
    REMIX = "REMIX"  # reuses the master recording's stems audibly
    VOICE_SWAP = "VOICE_SWAP"  # a consented voice model sings the lead


class PartyKind(enum.Enum):
    ARTIST = "ARTIST"
    SONGWRITER = "SONGWRITER"
    PUBLISHER = "PUBLISHER"
    LABEL = "LABEL"
    VOICE_OWNER = "VOICE_OWNER"
    REMIXER = "REMIXER"
    SYSTEM = "SYSTEM"  # UNCLAIMED, ESCROW, the platform itself


class SubjectKind(enum.Enum):
    """What a share or an opt-in declaration is about."""

    WORK = "WORK"
    RECORDING = "RECORDING"
    VOICE_MODEL = "VOICE_MODEL"


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    kind: PartyKind
    ipi: str | None = None
    payout_currency: str = "EUR"
    independent: bool = False


SYSTEM_PARTIES: Mapping[str, Party] = {
    UNCLAIMED_PARTY_ID: Party(UNCLAIMED_PARTY_ID, "Unclaimed", PartyKind.SYSTEM),
    ESCROW_PARTY_ID: Party(ESCROW_PARTY_ID, "Escrow", PartyKind.SYSTEM),
}
"""The parties Refrain itself holds; catalog files may name them without declaring them."""


@dataclass(frozen=True)
class Work:
    """A composition (publishing side)."""

    id: str
    title: str
    iswc: str


@dataclass(frozen=True)
class Recording:
    """A master recording of a work.

    ``audio_sha256`` addresses the audio in the blob store; ``stems`` maps a
    stem name (drums, bass, other, vocals) to the blob of a provided stem.
    """

    id: str
    work_id: str
    title: str
    artist: str
    isrc: str
    duration_s: float
    audio_sha256: str | None = None
    stems: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    explicit: bool = False
    """The label marks this recording explicit (a parental-advisory version): servers
    with ``nsfw-filter on`` refuse it."""

    @property
    def needs_separation(self) -> bool:
        """Audio without provided stems: demucs must make its stems before a cover."""
        return bool(self.audio_sha256) and not self.stems


@dataclass(frozen=True)
class Share:
    """A party's fraction of one right in a subject, in a territory, over a period."""

    subject_kind: SubjectKind
    subject_id: str
    party_id: str
    right: RightType
    fraction: Fraction
    territory: str = WORLDWIDE
    valid_from: date | None = None
    valid_to: date | None = None  # exclusive

    def valid_on(self, day: date) -> bool:
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day < self.valid_to

    def applies_in(self, territory: str) -> bool:
        return self.territory in (WORLDWIDE, territory)


@dataclass(frozen=True)
class LicenseTerms:
    """What a license allows. ``styles``/``voice_models`` of ``None`` mean any."""

    transformations: frozenset[Transformation]
    styles: frozenset[str] | None = None
    voice_models: frozenset[str] = frozenset()
    max_seconds_by_tier: Mapping[str, int] = field(default_factory=dict)
    territories: frozenset[str] = frozenset({WORLDWIDE})
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    bucket_templates: Mapping[Transformation, Mapping[RightType, Fraction]] = field(
        default_factory=dict
    )

    def allows_territory(self, territory: str) -> bool:
        return WORLDWIDE in self.territories or territory in self.territories


@dataclass(frozen=True)
class License:
    """One immutable version of the terms for a recording (covering its work)."""

    id: str
    recording_id: str
    version: int
    terms: LicenseTerms
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class OptDeclaration:
    """An independent rights holder opting a work in (with limits) or out."""

    subject_kind: SubjectKind
    subject_id: str
    party_id: str
    opted_in: bool
    transformations: frozenset[Transformation] | None = None
    styles: frozenset[str] | None = None
    territories: frozenset[str] | None = None
    declared_at: datetime | None = None


@dataclass(frozen=True)
class ConsentRecord:
    document_sha256: str
    scope: str
    signed_on: date


@dataclass(frozen=True)
class VoiceModel:
    id: str
    name: str
    owner_party_id: str
    consent: ConsentRecord
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class Tier:
    """A user tier: render-seconds per period and the longest clip it may ask for."""

    name: str
    seconds_per_period: int
    max_clip_seconds: int
    priority: int = 0
    period: str = "day"


@dataclass(frozen=True)
class User:
    """A person as Refrain knows them; platform ids map to one internal id."""

    id: str
    platform: str
    platform_user_id: str
    display_name: str
    tier: str = "free"
    country: str | None = None
    terms_version: str | None = None
    created_at: datetime | None = None
    tier_until: datetime | None = None  # set when a paid grant lifts ``tier`` (its end)


@dataclass(frozen=True)
class Grant:
    """A paid tier for a service window: ``subject`` is ``user:<id>`` or ``scope:<id>``.

    ``source`` names what paid for it (``telegram:<charge id>``, ``discord:<entitlement
    id>``…, unique); ``ended_at`` is set when a refund, a cancellation or a deleted
    entitlement ends it early. Clips made while it ran stay made.
    """

    id: str
    subject: str
    tier: str
    plan_id: str
    source: str
    starts_at: datetime
    ends_at: datetime | None  # None: until ended (a Discord entitlement without an end date)
    ended_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        end = min((t for t in (self.ends_at, self.ended_at) if t is not None), default=None)
        return self.starts_at <= now and (end is None or now < end)

    @property
    def until(self) -> datetime | None:
        """When it stops (the earlier of its end and the moment it was ended)."""
        return min((t for t in (self.ends_at, self.ended_at) if t is not None), default=None)


@dataclass(frozen=True)
class ScopePolicy:
    """Moderator settings for one Discord guild or Telegram chat (a 'scope').

    ``None`` in an allow-list means everything the license allows.
    ``user_seconds_per_day`` caps each member's render-seconds per UTC day in
    this scope, on top of their tier's quota and the shared pool. ``nsfw_filter``
    is the moderators' choice about explicit material; Refrain has no
    free-text prompts, so it only ever applies to catalog songs marked explicit.
    """

    scope_id: str
    allowed_styles: frozenset[str] | None = None
    allowed_voices: frozenset[str] | None = None
    allowed_channels: frozenset[str] | None = None
    max_clip_seconds: int | None = None
    cooldown_s: int = 0
    banned_users: frozenset[str] = frozenset()
    pool_seconds_per_day: int | None = None
    default_country: str | None = None
    user_seconds_per_day: int | None = None
    nsfw_filter: bool = False


class Origin(enum.Enum):
    """How the clip reached the listener."""

    COMMAND = "COMMAND"
    SEARCH = "SEARCH"
    SHARED_LINK = "SHARED_LINK"
    INLINE = "INLINE"
    BUTTON = "BUTTON"


class RequestState(enum.Enum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def final(self) -> bool:
        return self in (RequestState.DELIVERED, RequestState.FAILED, RequestState.CANCELLED)


@dataclass(frozen=True)
class RenderRequest:
    """A granted request and where it stands."""

    id: str
    idempotency_key: str
    user_id: str
    scope_id: str
    channel_id: str | None
    transformation: Transformation
    recording_id: str
    style: str
    voice_model_id: str | None
    seconds: int
    license_id: str
    license_version: int
    territory: str
    state: RequestState
    created_at: datetime
    updated_at: datetime
    error: str | None = None
    clip_id: str | None = None
    progress: int = 0
    stage: str = ""
    variation: int = 0  # regenerate asks for the next one: a new seed, a new render
    attempts: int = 0  # claims by a worker; a try that only met an outage does not count
    lease_expires_at: datetime | None = None  # while RUNNING: renewed by the live worker
    delivery_id: str | None = None  # the requester's own copy, made before DELIVERED
    delivery_format: str | None = None  # "opus", "mp3", "m4a"; None: the platform's usual
    origin: Origin = Origin.COMMAND  # how it was asked for: its copy records it


class QuotaEntryKind(enum.Enum):
    RESERVE = "RESERVE"  # seconds held at submit
    COMMIT = "COMMIT"  # the reservation became a delivered clip (no amount)
    REFUND = "REFUND"  # a failed or cancelled request gives its seconds back


@dataclass(frozen=True)
class QuotaEntry:
    """One line of the append-only quota ledger of an account (user or scope pool)."""

    id: str
    account: str
    request_id: str
    kind: QuotaEntryKind
    seconds: int
    period_start: datetime
    at: datetime


@dataclass(frozen=True)
class Clip:
    id: str
    request_id: str
    recording_id: str
    transformation: Transformation
    style: str
    voice_model_id: str | None
    license_id: str
    license_version: int
    requester_id: str
    audio_sha256: str
    duration_s: float
    watermark_token: str | None
    created_at: datetime


@dataclass(frozen=True)
class Report:
    """A member flagging a clip for the moderators of the scope they saw it in.

    ``delivery_id`` is the copy they reported when known (the Report button
    knows it; a typed clip or request id does not). A report is open until
    resolved; the resolution is a second, append-only record, so who reported
    what and who closed it are both kept as they were written.
    """

    id: str
    scope_id: str
    clip_id: str
    delivery_id: str | None
    reporter_user_id: str
    reason: str | None
    created_at: datetime
    resolved_at: datetime | None = None
    resolver_user_id: str | None = None
    resolution: str | None = None

    @property
    def open(self) -> bool:
        return self.resolved_at is None


@dataclass(frozen=True)
class AuditEntry:
    id: str
    scope_id: str
    actor_user_id: str
    action: str
    detail: str
    at: datetime


# -- deliveries and usage -----------------------------------------------------------------
class UsageType(enum.Enum):
    """What a play event records (ROYALTIES.md): a delivery into a chat, or an observed listen."""

    DELIVERY = "DELIVERY"
    STREAM = "STREAM"


@dataclass(frozen=True)
class Delivery:
    """One copy of a clip handed to someone: its own watermark token, its own file.

    A clip delivered to two chats has two deliveries, so a leaked copy traces
    to the exact hand-over. ``share_id`` names the web share page of this copy;
    ``platform_file_id`` is the platform's handle for re-sending it without a
    new upload (Telegram ``file_id``).
    """

    id: str
    clip_id: str
    token: int
    key_id: str
    recipient_user_id: str
    platform: str
    chat_id: str | None
    origin: Origin
    fmt: str
    sha256: str
    size_bytes: int
    share_id: str
    created_at: datetime
    platform_file_id: str | None = None
    handed_over_at: datetime | None = None  # when a chat (or the CLI) got this copy


@dataclass(frozen=True)
class Takedown:
    """A clip withdrawn by a moderator or rights holder: links answer 410, bots stop re-sending."""

    clip_id: str
    why: str
    actor_user_id: str
    at: datetime


@dataclass(frozen=True)
class PlayEvent:
    """One usage of a clip (append-only; ``event_id`` is a UUIDv7 idempotency key).

    ``listener_key`` is an HMAC of the platform user id or web cookie id —
    raw ids are never stored. ``played_at`` is the client's time,
    ``received_at`` the server's.
    """

    event_id: str
    clip_id: str
    delivery_id: str | None
    usage: UsageType
    listener_key: str
    platform: str
    origin: Origin
    ms_played: int
    territory: str
    played_at: datetime
    received_at: datetime
