"""Use cases for render requests: submit, status, cancel, quota.

Submitting resolves the song, gathers everything the entitlement engine needs,
asks it, and only then stores the request together with its quota reservation
(atomically, idempotent on the platform message id) and hands it to the queue.
If the queue is unreachable the request stays QUEUED in the database and the
recovery sweep enqueues it later, so nothing a user asked for is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from datetime import datetime

from core.batching import Batcher, Failed
from core.catalog.search import Ambiguous, CatalogIndex, Exact, NotFound
from core.commands import CoverCommand
from core.entitlements import (
    Denied,
    DenyCode,
    EntitlementContext,
    Granted,
    check,
    member_account,
    period_bounds,
)
from core.ids import new_id
from core.model import (
    WORLDWIDE,
    License,
    OptDeclaration,
    Recording,
    RenderRequest,
    RequestState,
    SubjectKind,
    Tier,
    Transformation,
    User,
    VoiceModel,
)
from core.ports import Clock, JobQueue, QuotaExceeded, Reservation, Stores
from core.requests.requester import Requester
from core.requests.snapshot import SubmitSnapshot, idempotency_key
from core.revenue import effective_policy, effective_user, scope_subject, user_subject
from core.stylebook import ORIGINAL_STYLE, STYLES, selectable_styles, style_name

log = logging.getLogger(__name__)

ACTIVE_STATES = frozenset({RequestState.QUEUED, RequestState.RUNNING})


@dataclass(frozen=True)
class Queued:
    request: RenderRequest
    position: int | None
    queue_ok: bool
    recording: Recording
    duplicate: bool = False


@dataclass(frozen=True)
class RequestDetails:
    request: RenderRequest
    user: User | None
    recording: Recording | None


@dataclass(frozen=True)
class CancelRefused:
    """Why a request cannot be cancelled, in words (a value, not raised)."""

    message: str


@dataclass(frozen=True)
class NeedsStyle:
    recording: Recording
    options: tuple[str, ...]


@dataclass(frozen=True)
class SongUnknown:
    query: str
    suggestions: tuple[Recording, ...]


@dataclass(frozen=True)
class SongAmbiguous:
    query: str
    candidates: tuple[Recording, ...]


@dataclass(frozen=True)
class StyleUnknown:
    style: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Unavailable:
    """Allowed, but this deployment cannot make it (e.g. no voice-conversion backend)."""

    code: str
    message: str


SubmitOutcome = (
    Queued | Denied | NeedsStyle | SongUnknown | SongAmbiguous | StyleUnknown | Unavailable
)


@dataclass(frozen=True)
class QuotaView:
    tier: Tier
    used: int
    resets_at: datetime
    pool_used: int | None
    pool_limit: int | None
    member_used: int | None = None
    member_limit: int | None = None
    tier_until: datetime | None = None  # a paid tier: when it ends


class RequestService:
    """Submit, inspect and cancel render requests."""

    def __init__(
        self,
        stores: Stores,
        queue: JobQueue,
        clock: Clock,
        index: CatalogIndex,
        tiers: Mapping[str, Tier],
        terms_version: str,
        default_clip_seconds: int,
        hidden: Set[str] = frozenset(),
        voice_conversion: bool = False,
    ) -> None:
        self._stores = stores
        self._queue = queue
        self._clock = clock
        self._index = index
        self._tiers = tiers
        self._terms_version = terms_version
        self._default_seconds = default_clip_seconds
        self._hidden = hidden
        self._voice_conversion = voice_conversion
        self._batcher: Batcher[tuple[Requester, CoverCommand], SubmitOutcome] = Batcher(
            self._submit_batch
        )

    @property
    def tiers(self) -> Mapping[str, Tier]:
        return self._tiers

    @property
    def terms_version(self) -> str:
        return self._terms_version

    def now(self) -> datetime:
        return self._clock.now()

    def tier_of(self, user: User) -> Tier:
        return self._tiers.get(user.tier) or self._tiers["free"]

    async def user_for(self, who: Requester) -> User:
        """The sender as stored, with the tier of a paid grant when one lifts it right now."""
        now = self._clock.now()
        user = await self._stores.users.get_or_create(
            who.platform, who.platform_user_id, who.display_name, now
        )
        grants = await self._stores.grants.active_grants([user_subject(user.id)], now)
        return effective_user(user, grants, self._tiers, now)

    async def resolve_song(
        self,
        song: str,
        artist: str | None,
        unsplit: str | None = None,
        get_recording: Callable[[str], Awaitable[Recording | None]] | None = None,
    ) -> Recording | SongUnknown | SongAmbiguous:
        """Find the one recording a user means, or say what they might mean.

        ``unsplit`` is the whole text when an unquoted "by" may belong to the
        title ("Stand by Me"): it is tried when the split reading finds nothing.
        """
        found = self._index.resolve(song, artist)
        if not isinstance(found, Exact) and unsplit:
            whole = self._index.resolve(unsplit, None)
            if isinstance(whole, Exact):
                found = whole
        get = get_recording or self._stores.catalog.get_recording
        if isinstance(found, Exact):
            recording = await get(found.recording_id)
            if recording is not None:
                return recording
            return SongUnknown(song, ())
        ids = found.candidates if isinstance(found, Ambiguous) else found.suggestions
        recordings = tuple(
            r
            for r in [await get(i) for i in ids if i not in self._hidden]
            if r is not None
        )
        if isinstance(found, Ambiguous):
            return SongAmbiguous(song, recordings)
        assert isinstance(found, NotFound)
        return SongUnknown(song, recordings)

    async def effective_opt(
        self,
        recording: Recording,
        declarations_of: Callable[[SubjectKind, str], Awaitable[list[OptDeclaration]]]
        | None = None,
    ) -> OptDeclaration | None:
        """The latest opt declaration on the recording or its work (the newest wins)."""
        read = declarations_of or self._stores.catalog.opt_declarations
        declarations = await read(SubjectKind.WORK, recording.work_id)
        declarations = declarations + await read(SubjectKind.RECORDING, recording.id)
        return latest_declaration(declarations)

    async def licensed_styles(self, recording: Recording, scope_id: str) -> tuple[str, ...]:
        """Styles a user may pick for this song here: license ∩ opt-in ∩ server policy."""
        license_ = await self._stores.catalog.current_license(recording.id)
        if license_ is None:
            return ()
        allowed = set(selectable_styles())
        if license_.terms.styles is not None:
            allowed &= license_.terms.styles
        opt = await self.effective_opt(recording)
        if opt is not None and opt.opted_in and opt.styles is not None:
            allowed &= opt.styles
        policy = await self._stores.policies.get(scope_id)
        if policy.allowed_styles is not None:
            allowed &= policy.allowed_styles
        return tuple(s for s in selectable_styles() if s in allowed)

    async def submit(self, who: Requester, command: CoverCommand) -> SubmitOutcome:
        """Check a cover/remix request and queue it, or say why not.

        Concurrent submits are answered together (:mod:`core.batching`):
        each gets exactly the outcome it would have had alone, in arrival order.
        """
        return await self._batcher.run((who, command))

    async def _submit_batch(
        self, items: Sequence[tuple[Requester, CoverCommand]]
    ) -> list[SubmitOutcome | Failed]:
        """Submit several requests with a few reads and one write for all of them.

        A failure that belongs to one request (its sender could not be stored…)
        is that request's alone; one that hits the batch (the database is down)
        is raised to everyone in it, as each would have met it on its own.
        """
        now = self._clock.now()
        snapshot = await SubmitSnapshot.load(
            self._stores, [who for who, _ in items], now, self.tier_of, self._tiers
        )
        plans: list[SubmitOutcome | _Grant | _SameMessage | Failed] = []
        for who, command in items:
            try:
                plans.append(await self._plan(who, command, snapshot, now))
            except Exception as exc:
                plans.append(Failed(exc))
        granted = [p for p in plans if isinstance(p, _Grant)]
        stored = await self._stores.requests.create_many(
            [(g.request, g.reservations) for g in granted], now
        )
        results = dict(zip((id(g) for g in granted), stored, strict=True))
        first: dict[str, SubmitOutcome | Failed] = {}
        outcomes: list[SubmitOutcome | Failed] = []
        for plan in plans:
            outcome: SubmitOutcome | Failed
            if isinstance(plan, _Grant):
                try:
                    outcome = await self._finish(plan, results[id(plan)], now)
                except Exception as exc:
                    outcome = Failed(exc)
                first[plan.request.idempotency_key] = outcome
            elif isinstance(plan, _SameMessage):
                # the same message twice in one batch: the first copy's answer, as a repeat
                outcome = first[plan.key]
                if isinstance(outcome, Queued):
                    outcome = replace(outcome, duplicate=True)
            else:
                outcome = plan
            outcomes.append(outcome)
        return outcomes

    async def _plan(
        self, who: Requester, command: CoverCommand, snapshot: SubmitSnapshot, now: datetime
    ) -> SubmitOutcome | _Grant | _SameMessage:
        """Everything a submit decides before writing: an answer, or a grant to store."""
        key = idempotency_key(who)
        user = snapshot.user(who)
        existing = snapshot.existing.get(key)
        if existing is not None:
            recording = await snapshot.recording(existing.recording_id)
            assert recording is not None
            position = await self._safe_position(existing.id)
            return Queued(existing, position, True, recording, duplicate=True)
        if key in snapshot.planned_keys:  # the same message twice in one batch (a double tap)
            return _SameMessage(key)

        resolved = await self.resolve_song(
            command.song, command.artist, command.unsplit, snapshot.recording
        )
        if not isinstance(resolved, Recording):
            return resolved
        recording = resolved

        transformation = command.transformation
        style = command.style
        if style is None:
            if command.voice is not None:
                style = ORIGINAL_STYLE
            else:
                return NeedsStyle(recording, await self.licensed_styles(recording, who.scope_id))
        if style not in STYLES:
            return StyleUnknown(style, await self.licensed_styles(recording, who.scope_id))

        work = await snapshot.work(recording.work_id)
        assert work is not None, f"recording {recording.id} points at a missing work"
        license_ = await snapshot.license(recording.id)
        voice = _find_voice(await snapshot.voices(), command.voice) if command.voice else None
        policy = await snapshot.policy(who.scope_id)
        tier = self.tier_of(user)
        territory = who.country or user.country or policy.default_country or WORLDWIDE
        seconds = command.seconds or self._default_length(tier, policy.max_clip_seconds, license_)
        if recording.duration_s >= 1:
            # a clip is never longer than the song, and nobody is charged for silence
            seconds = min(seconds, int(recording.duration_s))
        period_start, _ = period_bounds(tier.period, now)
        day_start, _ = period_bounds("day", now)
        member = member_account(who.scope_id, user.id)
        context = EntitlementContext(
            user=user,
            tier=tier,
            policy=policy,
            channel_id=who.channel_id,
            is_moderator=who.is_moderator,
            recording=recording,
            work=work,
            license=license_,
            opt=await self.effective_opt(recording, snapshot.opt_declarations),
            voice_model=voice,
            requested_voice=command.voice,
            transformation=transformation,
            style=style,
            seconds=seconds,
            territory=territory,
            country_how=who.country_how,
            asked_seconds=command.seconds,
            user_used_seconds=snapshot.used_seconds(f"user:{user.id}", period_start),
            pool_used_seconds=(
                snapshot.used_seconds(f"pool:{who.scope_id}", day_start)
                if policy.pool_seconds_per_day is not None
                else None
            ),
            member_used_seconds=(
                snapshot.used_seconds(member, day_start)
                if policy.user_seconds_per_day is not None
                else None
            ),
            last_request_at=snapshot.last_request.get((user.id, who.scope_id)),
            required_terms_version=self._terms_version,
            now=now,
            style_names={s: style_name(s) for s in STYLES},
        )
        decision = check(context)
        if isinstance(decision, Denied):
            return decision
        assert isinstance(decision, Granted) and license_ is not None
        if transformation is Transformation.VOICE_SWAP and not self._voice_conversion:
            return Unavailable(
                "VOICE_UNAVAILABLE",
                f"*{recording.title}* may be sung by {voice.name if voice else 'that voice'}, "
                "but voice covers aren't switched on on this server yet, so nothing was "
                "queued or charged. Try a style instead, e.g. "
                f'`cover "{recording.title}" style:lofi`.',
            )
        request = RenderRequest(
            id=new_id(),
            idempotency_key=key,
            user_id=user.id,
            scope_id=who.scope_id,
            channel_id=who.channel_id,
            transformation=transformation,
            recording_id=recording.id,
            style=style,
            voice_model_id=voice.id if voice else None,
            seconds=decision.seconds,
            license_id=license_.id,
            license_version=license_.version,
            territory=territory,
            state=RequestState.QUEUED,
            created_at=now,
            updated_at=now,
            variation=command.take - 1,
            origin=who.origin,
            delivery_format=who.delivery_format,
        )
        snapshot.granted(request, decision.reservations)
        return _Grant(request, decision.reservations, decision.priority, recording, tier)

    async def _finish(
        self,
        grant: _Grant,
        stored: tuple[RenderRequest, bool] | QuotaExceeded,
        now: datetime,
    ) -> SubmitOutcome:
        """After the write: queue what was stored, or explain the race it lost."""
        if isinstance(stored, QuotaExceeded):
            return self._quota_race_denial(stored, grant.tier, now)
        request, created = stored
        if not created:
            position = await self._safe_position(request.id)
            return Queued(request, position, True, grant.recording, duplicate=True)
        queue_ok = await self._safe_enqueue(request, grant.priority)
        position = await self._safe_position(request.id) if queue_ok else None
        return Queued(request, position, queue_ok, grant.recording)

    def _default_length(
        self, tier: Tier, server_max: int | None, license_: License | None
    ) -> int:
        limits = [self._default_seconds, tier.max_clip_seconds]
        if server_max is not None:
            limits.append(server_max)
        if license_ is not None and tier.name in license_.terms.max_seconds_by_tier:
            limits.append(license_.terms.max_seconds_by_tier[tier.name])
        return max(1, min(limits))

    def _quota_race_denial(self, exc: QuotaExceeded, tier: Tier, now: datetime) -> Denied:
        """Another submit won the last seconds between our check and our insert."""
        pool = exc.account.startswith("pool:")
        member = exc.account.startswith("member:")
        _, resets = period_bounds("day" if pool or member else tier.period, now)
        if pool:
            code, who = DenyCode.SERVER_POOL_EXHAUSTED, "This server's shared render time"
        elif member:
            code, who = DenyCode.MEMBER_LIMIT_EXHAUSTED, "Your render time on this server"
        else:
            code, who = DenyCode.USER_QUOTA_EXHAUSTED, "Your render time"
        return Denied(
            code=code,
            message=f"{who} is used up ({exc.used} of {exc.limit} s). It resets at "
            f"{resets:%H:%M} UTC.",
            hint="Try a shorter clip with `length:`, or wait for the reset.",
            retry_at=resets,
        )

    async def _safe_enqueue(self, request: RenderRequest, priority: int) -> bool:
        try:
            await self._queue.enqueue(request, priority)
        except Exception as exc:  # the queue is down: the request row is the source of truth
            log.warning("could not enqueue request %s (%s); it waits QUEUED and the recovery "
                        "sweep hands it over when the queue is back", request.id, exc)
            return False
        return True

    async def _safe_position(self, request_id: str) -> int | None:
        try:
            return await self._queue.position(request_id)
        except Exception:
            log.warning("queue position unavailable for %s", request_id, exc_info=True)
            return None

    async def status(self, who: Requester, request_id: str | None) -> list[RenderRequest]:
        """The user's request (by id or short id) or their latest ones."""
        user = await self.user_for(who)
        if request_id is None:
            return await self._stores.requests.list_for_user(user.id, limit=5)
        found = await self._find_request(request_id)
        return [found] if found is not None and found.user_id == user.id else []

    async def position(self, request_id: str) -> int | None:
        return await self._safe_position(request_id)

    async def cancel(self, who: Requester, request_id: str) -> RenderRequest | CancelRefused:
        """Cancel one's own queued or running request (moderators: anyone's in the scope)."""
        user = await self.user_for(who)
        target = await self._find_request(request_id)
        if target is None:
            return CancelRefused(f"I can't find a request `{request_id}`. Type `status` to see yours.")
        if target.user_id != user.id and not (
            who.is_moderator and target.scope_id == who.scope_id
        ):
            return CancelRefused("You can only cancel your own requests.")
        if target.state.final:
            return CancelRefused(f"Request `{short_id(target.id)}` is already {target.state.value.lower()}.")
        done = await self._stores.requests.transition(
            target.id, ACTIVE_STATES, RequestState.CANCELLED, self._clock.now()
        )
        if done is None:
            fresh = await self._stores.requests.get(target.id)
            state = fresh.state.value.lower() if fresh else "gone"
            return CancelRefused(f"Request `{short_id(target.id)}` is already {state}.")
        try:
            await self._queue.cancel(target.id)
        except Exception:  # the worker re-checks the state before it renders or delivers
            log.warning("queue cancel failed for %s", target.id, exc_info=True)
        return done

    async def request(self, request_id: str) -> RenderRequest | None:
        """The request with this id (adapters follow their own requests' progress)."""
        return await self._stores.requests.get(request_id)

    async def details(self, request_id: str) -> RequestDetails | None:
        """A request with who asked and which song: what a bot needs to find its chat again."""
        request = await self._stores.requests.get(request_id)
        if request is None:
            return None
        user = await self._stores.users.get(request.user_id)
        recording = await self._stores.catalog.get_recording(request.recording_id)
        return RequestDetails(request, user, recording)

    async def counts(self) -> dict[RequestState, int]:
        """Requests per state (metrics)."""
        return await self._stores.requests.count_by_state()

    async def user(self, user_id: str) -> User | None:
        return await self._stores.users.get(user_id)

    async def _find_request(self, request_id: str) -> RenderRequest | None:
        exact = await self._stores.requests.get(request_id)
        if exact is not None:
            return exact
        return await self._stores.requests.find_by_short_id(request_id)

    async def quota(self, who: Requester) -> QuotaView:
        user = await self.user_for(who)
        tier = self.tier_of(user)
        now = self._clock.now()
        start, resets = period_bounds(tier.period, now)
        used = await self._stores.quota.used_seconds(f"user:{user.id}", start)
        policy = await self._stores.policies.get(who.scope_id)
        if policy.pool_seconds_per_day is not None:  # a server subscription raises the pool
            scope_grants = await self._stores.grants.active_grants([scope_subject(who.scope_id)], now)
            policy = effective_policy(policy, scope_grants, self._tiers, now)
        pool_used = None
        if policy.pool_seconds_per_day is not None:
            day_start, _ = period_bounds("day", now)
            pool_used = await self._stores.quota.used_seconds(f"pool:{who.scope_id}", day_start)
        member_used = None
        if policy.user_seconds_per_day is not None:
            day_start, _ = period_bounds("day", now)
            member_used = await self._stores.quota.used_seconds(
                member_account(who.scope_id, user.id), day_start
            )
        return QuotaView(
            tier, used, resets, pool_used, policy.pool_seconds_per_day,
            member_used, policy.user_seconds_per_day, user.tier_until,
        )

    async def recover(self, *, include_running: bool = False) -> int:
        """Enqueue every QUEUED request again (after a restart or a queue outage).

        At start-up ``include_running`` also takes the requests that were
        RUNNING when the process died: the render job resumes them.
        """
        states = {RequestState.QUEUED} | ({RequestState.RUNNING} if include_running else set())
        pending = await self._stores.requests.list_in_states(frozenset(states))
        count = 0
        for request in pending:
            if await self._safe_enqueue(request, 0):
                count += 1
        return count


def _find_voice(voices: Sequence[VoiceModel], name: str) -> VoiceModel | None:
    """The voice a user named, by name or id, whatever the case."""
    wanted = name.strip().casefold()
    for voice in voices:
        if wanted in (voice.name.casefold(), voice.id.casefold()):
            return voice
    return None


@dataclass(frozen=True)
class _Grant:
    """A request the entitlement engine allowed, waiting for the batch's write."""

    request: RenderRequest
    reservations: tuple[Reservation, ...]
    priority: int
    recording: Recording
    tier: Tier


@dataclass(frozen=True)
class _SameMessage:
    """A second copy, in the same batch, of a message already granted in it."""

    key: str


def latest_declaration(declarations: Sequence[OptDeclaration]) -> OptDeclaration | None:
    """The declaration in force: the newest dated one (undated count as oldest), else the last."""
    if not declarations:
        return None
    return max(
        enumerate(declarations),
        key=lambda pair: (pair[1].declared_at is not None, pair[1].declared_at, pair[0]),
    )[1]


def short_id(request_id: str) -> str:
    """The last 8 hex digits of a request id: enough to type, unique in practice."""
    return request_id.replace("-", "")[-8:]


__all__ = [
    "CancelRefused",
    "NeedsStyle",
    "Queued",
    "QuotaView",
    "RequestDetails",
    "RequestService",
    "SongAmbiguous",
    "SongUnknown",
    "StyleUnknown",
    "SubmitOutcome",
    "Unavailable",
    "latest_declaration",
    "short_id",
]
