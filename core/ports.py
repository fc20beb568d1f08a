"""The ports through which the domain talks to the outside world.

Storage, the queue, the blob store and the clock implement these Protocols;
the domain and the use cases depend on nothing else. Every method that does
I/O is ``async``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from core.errors import RefrainError
from core.media import ClipTags, EncodeFormat, MarkedCopy, MarkingKey, Scan
from core.model import (
    AuditEntry,
    Clip,
    Delivery,
    Grant,
    License,
    LicenseTerms,
    OptDeclaration,
    Origin,
    Party,
    PlayEvent,
    QuotaEntry,
    Recording,
    RenderRequest,
    Report,
    RequestState,
    ScopePolicy,
    Share,
    SubjectKind,
    Takedown,
    User,
    VoiceModel,
    Work,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """Timezone-aware UTC now."""
        ...


@dataclass(frozen=True)
class CatalogBatch:
    """Everything one catalog import adds; stored all-or-nothing."""

    parties: Sequence[Party] = ()
    works: Sequence[Work] = ()
    recordings: Sequence[Recording] = ()
    shares: Sequence[Share] = ()
    licenses: Sequence[tuple[str, LicenseTerms]] = ()  # (recording id, terms)
    opt_declarations: Sequence[OptDeclaration] = ()
    voice_models: Sequence[VoiceModel] = ()


class CatalogRepository(Protocol):
    async def import_batch(self, batch: CatalogBatch, at: datetime) -> None:
        """Store a whole batch in one transaction; existing ids are updated."""
        ...

    async def get_party(self, party_id: str) -> Party | None: ...
    async def list_parties(self) -> list[Party]: ...
    async def get_work(self, work_id: str) -> Work | None: ...
    async def list_works(self) -> list[Work]: ...
    async def get_recording(self, recording_id: str) -> Recording | None: ...
    async def list_recordings(self) -> list[Recording]: ...
    async def set_recording_audio(
        self, recording_id: str, audio_sha256: str, stems: dict[str, str]
    ) -> None: ...
    async def shares_for(self, subject_kind: SubjectKind, subject_id: str) -> list[Share]: ...

    async def current_license(self, recording_id: str) -> License | None:
        """The newest license version of a recording, revoked or not."""
        ...

    async def get_license(self, license_id: str, version: int) -> License | None: ...

    async def add_license_version(
        self, recording_id: str, terms: LicenseTerms, at: datetime
    ) -> License:
        """Append a new immutable version; earlier versions stay readable."""
        ...

    async def opt_declarations(
        self, subject_kind: SubjectKind, subject_id: str
    ) -> list[OptDeclaration]:
        """All declarations for a subject, oldest first (the last one wins)."""
        ...

    async def add_opt_declaration(self, declaration: OptDeclaration) -> None: ...
    async def get_voice_model(self, voice_model_id: str) -> VoiceModel | None: ...
    async def list_voice_models(self) -> list[VoiceModel]: ...
    async def revoke_voice_model(self, voice_model_id: str, at: datetime) -> None: ...


class UserRepository(Protocol):
    async def get_or_create(
        self, platform: str, platform_user_id: str, display_name: str, at: datetime
    ) -> User: ...

    async def find_many(self, identities: Sequence[tuple[str, str]]) -> dict[tuple[str, str], User]:
        """The known users among (platform, platform user id) pairs, in one read."""
        ...

    async def get(self, user_id: str) -> User | None: ...
    async def find(self, platform: str, platform_user_id: str) -> User | None: ...
    async def set_tier(self, user_id: str, tier: str) -> None: ...
    async def set_country(self, user_id: str, country: str | None) -> None: ...
    async def accept_terms(self, user_id: str, version: str, at: datetime) -> None: ...

    async def export(self, user_id: str) -> dict[str, Any]:
        """Everything stored about a user, as JSON-ready data."""
        ...

    async def delete_personal_data(self, user_id: str) -> None:
        """Erase the user's personal data; requests and clips keep only the opaque id."""
        ...


class PolicyRepository(Protocol):
    async def get(self, scope_id: str) -> ScopePolicy:
        """The scope's policy, or the permissive default when none is stored."""
        ...

    async def save(self, policy: ScopePolicy) -> None: ...


@dataclass(frozen=True)
class Reservation:
    """Seconds to hold on a quota account, refused if it would pass ``limit``."""

    account: str
    seconds: int
    limit: int
    period_start: datetime


class QuotaExceeded(RefrainError):
    """Raised by ``RequestRepository.create`` when a reservation does not fit."""

    def __init__(self, account: str, used: int, limit: int) -> None:
        super().__init__(f"quota account {account} has {used}/{limit} s used")
        self.account = account
        self.used = used
        self.limit = limit


class GrantStore(Protocol):
    """Paid tiers as the entitlement engine reads them (written by ``core.revenue``)."""

    async def active_grants(self, subjects: Sequence[str], now: datetime) -> list[Grant]:
        """Grants of ``subjects`` (``user:<id>``, ``scope:<id>``) in force at ``now``."""
        ...


class QuotaLedger(Protocol):
    async def used_seconds(self, account: str, period_start: datetime) -> int:
        """Reserved minus refunded seconds of the account in the period."""
        ...

    async def used_seconds_many(
        self, wanted: Sequence[tuple[str, datetime]]
    ) -> dict[tuple[str, datetime], int]:
        """``used_seconds`` of many (account, period start) pairs, in one read."""
        ...

    async def entries(self, account: str) -> list[QuotaEntry]: ...


class RequestRepository(Protocol):
    async def create(
        self, request: RenderRequest, reservations: Sequence[Reservation], at: datetime
    ) -> tuple[RenderRequest, bool]:
        """Insert a request and reserve its quota atomically.

        Idempotent on ``request.idempotency_key``: a second call returns the
        stored request and ``False``. Raises ``QuotaExceeded`` (storing nothing)
        when any reservation would pass its limit, even under concurrency.
        """
        ...

    async def create_many(
        self, items: Sequence[tuple[RenderRequest, Sequence[Reservation]]], at: datetime
    ) -> list[tuple[RenderRequest, bool] | QuotaExceeded]:
        """``create`` for each item in order, in one transaction; an item that would have
        raised ``QuotaExceeded`` gets it as its result instead (nothing stored for it)."""
        ...

    async def get(self, request_id: str) -> RenderRequest | None: ...
    async def get_by_idempotency_key(self, key: str) -> RenderRequest | None: ...

    async def get_by_idempotency_keys(self, keys: Sequence[str]) -> dict[str, RenderRequest]:
        """The stored requests among ``keys``, by key, in one read."""
        ...

    async def last_created_at_many(
        self, pairs: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], datetime]:
        """When each (user, scope) last submitted; pairs that never did are absent."""
        ...

    async def find_by_short_id(self, short_id: str) -> RenderRequest | None:
        """The request whose id (hyphens removed) ends with ``short_id`` (8 hex digits)."""
        ...

    async def transition(
        self,
        request_id: str,
        allowed_from: frozenset[RequestState],
        to: RequestState,
        at: datetime,
        *,
        error: str | None = None,
        clip_id: str | None = None,
    ) -> RenderRequest | None:
        """Compare-and-set the state; ``None`` if the request was not in ``allowed_from``.

        Moving to DELIVERED commits the quota reservation, to FAILED or
        CANCELLED refunds it, in the same transaction.
        """
        ...

    async def set_progress(self, request_id: str, stage: str, percent: int, at: datetime) -> None: ...
    async def list_in_states(self, states: frozenset[RequestState]) -> list[RenderRequest]: ...
    async def count_by_state(self) -> dict[RequestState, int]:
        """How many requests are in each state (every state present)."""
        ...
    async def delivered_since(self, since: datetime, limit: int = 500) -> list[RenderRequest]:
        """DELIVERED requests that finished at or after ``since``, oldest first."""
        ...

    async def list_for_user(self, user_id: str, limit: int = 20) -> list[RenderRequest]: ...


@dataclass(frozen=True)
class Claim:
    """A worker's hold on a running request: its fencing token and when the hold ends.

    Every write a worker makes for the request names the token, so a worker
    that lost its lease (it stalled, another took over) can no longer change it.
    """

    request: RenderRequest
    token: str
    expires_at: datetime


class Unclaimable(enum.Enum):
    MISSING = "MISSING"  # not in this database
    FINISHED = "FINISHED"  # delivered, failed or cancelled meanwhile
    HELD = "HELD"  # a live worker holds it (its lease has not run out)
    EXHAUSTED = "EXHAUSTED"  # it was claimed as many times as a request may be


@dataclass(frozen=True)
class NotClaimed:
    reason: Unclaimable
    request: RenderRequest | None = None
    retry_at: datetime | None = None  # HELD: when the holder's lease runs out


@dataclass(frozen=True)
class Stale:
    """What the recovery sweep looks at: requests nobody may be working on."""

    queued: list[RenderRequest]  # QUEUED for a while: the queue may have lost them
    expired: list[RenderRequest]  # RUNNING with a lease that ran out: their worker died


class RunRepository(Protocol):
    """The worker's side of a request: claim it, keep the claim, finish it once."""

    async def claim(
        self, request_id: str, token: str, at: datetime, lease_s: float, max_attempts: int
    ) -> Claim | NotClaimed:
        """QUEUED, or RUNNING with a lapsed lease → RUNNING under ``token``, one more try."""
        ...

    async def renew(self, claim: Claim, at: datetime, lease_s: float) -> Claim | None:
        """Extend the lease; ``None`` when the claim is no longer ours (or the request ended)."""
        ...

    async def release(self, claim: Claim, at: datetime) -> bool:
        """Give the request back to the queue (QUEUED); the try does not count."""
        ...

    async def complete(
        self, claim: Claim, clip: Clip, delivery: Delivery, plays: Sequence[PlayEvent],
        at: datetime,
    ) -> RenderRequest | None:
        """In one transaction: the clip, the requester's copy, its usage lines, DELIVERED
        and the quota committed; ``None`` (nothing written) if the claim is no longer ours."""
        ...

    async def fail(
        self, request_id: str, error: str, at: datetime, *, token: str | None = None
    ) -> RenderRequest | None:
        """FAILED with ``error`` and the quota refunded, if still open (and ours, given a token)."""
        ...

    async def stale(self, at: datetime, queued_before: datetime, limit: int = 500) -> Stale:
        """QUEUED since before ``queued_before``, and RUNNING with a lease lapsed at ``at``."""
        ...

    async def awaiting_handover(
        self, platform: str, since: datetime, limit: int = 200
    ) -> list[RenderRequest]:
        """DELIVERED requests of ``platform`` since ``since`` whose copy no chat got yet."""
        ...


class MaintenanceLeases(Protocol):
    async def acquire(self, name: str, holder: str, at: datetime, ttl_s: float) -> bool:
        """Hold the chore ``name`` until ``at + ttl_s`` unless another holder's lease is live."""
        ...


class ClipRepository(Protocol):
    async def add(self, clip: Clip) -> None: ...
    async def get(self, clip_id: str) -> Clip | None: ...
    async def for_request(self, request_id: str) -> Clip | None: ...
    async def list_for_requester(self, user_id: str, limit: int) -> list[Clip]:
        """The user's clips, newest first."""
        ...

    async def popular(self, limit: int) -> list[Clip]:
        """Clips with the most deliveries, most first."""
        ...

    async def audio_refs(self) -> list[tuple[str, datetime]]:
        """(audio sha256, newest clip time) of every clip, for blob retention."""
        ...


@dataclass(frozen=True)
class CachedRender:
    master_sha256: str
    duration_s: float


class RenderCache(Protocol):
    """Masters already rendered, by render key (see ``engine.render.render_key``)."""

    async def get(self, key: str, at: datetime) -> CachedRender | None:
        """The cached master for ``key`` (marking it used at ``at``), or None."""
        ...

    async def put(self, key: str, render: CachedRender, at: datetime) -> None: ...

    async def forget(self, key: str) -> None:
        """Drop an entry whose file is gone (evicted by the blob collector)."""
        ...


class VoiceProfiles(Protocol):
    """Where each voice model's learnt profile lives (a blob), for the renderer."""

    async def profile_sha256(self, voice_model_id: str) -> str | None: ...


class DeliveryRepository(Protocol):
    """Deliveries of clips (one row per hand-over, each with its watermark token) and takedowns."""

    async def add(self, delivery: Delivery) -> None: ...
    async def get(self, delivery_id: str) -> Delivery | None: ...
    async def by_token(self, token: int) -> Delivery | None: ...
    async def by_sha256(self, sha256: str) -> Delivery | None: ...
    async def by_share_id(self, share_id: str) -> Delivery | None: ...
    async def for_clip(self, clip_id: str) -> list[Delivery]: ...
    async def set_platform_file_id(self, delivery_id: str, file_id: str) -> None: ...
    async def mark_handed_over(self, delivery_id: str, at: datetime) -> None:
        """The chat got this copy (idempotent: the first time stands)."""
        ...
    async def add_takedown(self, takedown: Takedown) -> bool:
        """Record a takedown; False when the clip was already taken down (the first one stands)."""
        ...

    async def takedown_of(self, clip_id: str) -> Takedown | None: ...

    async def file_refs(self) -> list[tuple[str, datetime]]:
        """(file sha256, newest delivery time) of every delivered file, for blob retention."""
        ...


class PlayLog(Protocol):
    """The append-only play log (ROYALTIES.md); storage implements it."""

    async def append(self, events: Sequence[PlayEvent]) -> int:
        """Store events not seen before (by event id); returns how many were new."""
        ...


class AuditLog(Protocol):
    async def append(self, entry: AuditEntry) -> None: ...
    async def list(self, scope_id: str, limit: int = 50) -> list[AuditEntry]: ...

    async def scopes_with_action(self, scope_ids: Sequence[str], action: str) -> set[str]:
        """Which of ``scope_ids`` have at least one entry of ``action``, in one read."""
        ...


class ReportRepository(Protocol):
    """Members' reports of clips and the moderators' resolutions (both append-only)."""

    async def add(self, report: Report) -> None: ...
    async def get(self, report_id: str) -> Report | None: ...

    async def find(self, scope_id: str, report_id: str) -> Report | None:
        """The scope's report with this id or short id (the last 8 hex digits, any case)."""
        ...

    async def list_open(self, scope_id: str, limit: int = 20) -> list[Report]:
        """The scope's unresolved reports, newest first."""
        ...

    async def resolve(self, report_id: str, resolver_user_id: str, note: str | None,
                      at: datetime) -> bool:
        """Close a report; False when it was already closed (the first resolution stands)."""
        ...


class BlobStore(Protocol):
    """Content-addressed bytes (audio, stems, clips) keyed by sha256."""

    async def put_bytes(self, data: bytes) -> str: ...
    async def put_file(self, path: Path) -> str: ...
    async def get_bytes(self, sha256: str) -> bytes: ...
    def path_of(self, sha256: str) -> Path: ...
    async def exists(self, sha256: str) -> bool: ...


class DeliveryAudio(Protocol):
    """The audio engine's part in deliveries and trace (``engine.DeliveryAudioEngine``).

    Its methods are plain and blocking: the delivery service runs them in
    worker threads, so the event loop never waits on audio.
    """

    def mark_and_encode(
        self,
        master: Path,
        token: int,
        key: MarkingKey,
        fmt: EncodeFormat,
        target: Path,
        tags: ClipTags,
        provenance: Mapping[str, Any],
        extra: Mapping[str, str],
    ) -> MarkedCopy:
        """The master marked with ``token``, encoded, tagged and signed, at ``target``."""
        ...

    def provenance(
        self,
        *,
        generator_version: str,
        clip: Clip,
        recording: Recording | None,
        work: Work | None,
        voice: VoiceModel | None,
        style_name: str,
        delivery_id: str,
        created_at: datetime,
        fmt: EncodeFormat,
        duration_s: float,
        share_url: str | None,
    ) -> dict[str, Any]:
        """The provenance record (schema ``refrain.provenance/1``) of one delivered copy."""
        ...

    def with_sha256(self, record: Mapping[str, Any], sha256: str) -> dict[str, Any]: ...

    def scan(self, path: Path, keys: Sequence[MarkingKey]) -> Scan:
        """The mark in a file under any of ``keys``; raises ``UnreadableAudio``."""
        ...


class JobQueue(Protocol):
    async def ensure(self, request: RenderRequest, priority: int) -> bool:
        """Queue the request unless the queue already holds it; ``True`` if it had lost it.

        The recovery sweep calls this for requests the database says are
        waiting: after an outage, a queue restarted empty, a submit that could
        not reach the queue. Raises when the queue is unreachable.
        """
        ...

    async def enqueue(self, request: RenderRequest, priority: int) -> None:
        """Schedule rendering; safe to call twice for the same request."""
        ...

    async def cancel(self, request_id: str) -> None:
        """Stop a queued or running job (the request state is changed by the caller)."""
        ...

    async def position(self, request_id: str) -> int | None:
        """1-based place in line, ``None`` if not waiting."""
        ...


@dataclass(frozen=True)
class ButtonState:
    """What a chat button does, kept server-side because the platform gives a button's
    data only a few bytes (Telegram: 64), too few for a whole command.

    ``chat_id`` is the chat the button was sent to: pressed anywhere else it does nothing.
    """

    key: str
    platform: str
    chat_id: str
    command: str
    origin: Origin
    created_at: datetime


class ButtonStates(Protocol):
    """Button states that outlive the bot process (restarts, deploys, several instances)."""

    async def put(self, state: ButtonState) -> None: ...

    async def get(self, key: str) -> ButtonState | None: ...

    async def purge(self, before: datetime) -> int:
        """Forget the states made before ``before``; how many went."""
        ...


@dataclass(frozen=True)
class Stores:
    """The repositories a use case needs, built once by the wiring."""

    catalog: CatalogRepository
    users: UserRepository
    policies: PolicyRepository
    quota: QuotaLedger
    requests: RequestRepository
    clips: ClipRepository
    audit: AuditLog
    deliveries: DeliveryRepository
    render_cache: RenderCache
    plays: PlayLog
    voices: VoiceProfiles
    reports: ReportRepository
    buttons: ButtonStates
    runs: RunRepository
    maintenance: MaintenanceLeases
    grants: GrantStore


class JobEventKind(enum.Enum):
    QUEUED = "QUEUED"  # with the place in line
    PROGRESS = "PROGRESS"  # with a stage and a percentage
    DELIVERED = "DELIVERED"  # with the clip id
    FAILED = "FAILED"  # with a user-facing message
    CANCELLED = "CANCELLED"
    TAKEN_DOWN = "TAKEN_DOWN"  # the request's clip was withdrawn; message says why


@dataclass(frozen=True)
class JobEvent:
    """What adapters need to edit their "working on it" message or deliver a clip."""

    request_id: str
    kind: JobEventKind
    stage: str = ""
    percent: int = 0
    position: int | None = None
    clip_id: str | None = None
    message: str = ""
    delivery_id: str | None = None  # DELIVERED: the requester's own copy


class Notifier(Protocol):
    async def publish(self, event: JobEvent) -> None:
        """Tell whoever listens (bots, web); never raises for a missing listener."""
        ...
