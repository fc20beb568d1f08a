"""The render job: from a request id to the fan's own copy, charged exactly once.

Both queues call ``RenderJob.run(request_id, try_number)``. It claims the
request (QUEUED → RUNNING under a lease it keeps renewing), gets the stems,
renders the master in a stoppable process (or takes it from the render
cache), marks and encodes the requester's own copy, and then — in one
transaction — records the clip and the copy and makes the request DELIVERED,
which commits the quota. Nobody is charged for a clip they did not get.

How it can end instead:

* the request cannot be made (revoked voice, no stems, a render that keeps
  running out of memory, past its time limit): FAILED, quota refunded, the
  fan told why in plain words;
* the machinery failed (database or blob store unreachable, a render process
  killed): the claim is given back and ``RetryIn`` asks the queue to run the
  job again later — the request waits, it is not failed;
* the claim was lost (cancelled, or another worker took over a lapsed lease):
  the job stops and writes nothing.

A worker that dies leaves a lease that lapses; the recovery sweep (or the
queue itself) runs the job again and the next claim counts one more try.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core.deliveries import DeliveryService, NotDeliverable, delivery_format, platform_of
from core.ids import new_id
from core.model import Clip, Recording, RenderRequest
from core.ports import (
    BlobStore,
    CachedRender,
    Claim,
    Clock,
    JobEvent,
    JobEventKind,
    NotClaimed,
    Notifier,
    Stores,
    Unclaimable,
)
from engine import RenderedFile, VoiceError, render_key, render_master_file, render_seed
from jobs import metrics
from jobs.failures import (
    JobFailure,
    RetryIn,
    UserFacingError,
    backoff_s,
    is_infrastructure,
    is_retryable_render,
)
from jobs.lease import LeaseKeeper, LostClaim
from jobs.runners import AudioRunner, ThreadRunner
from jobs.stems import ProgressFn, ProvidedStems, StemSource, source_identity

log = logging.getLogger(__name__)

__all__ = [
    "JobFailure",
    "ProgressFn",
    "ProvidedStems",
    "RenderJob",
    "RenderSettings",
    "RetryIn",
    "StemSource",
    "UserFacingError",
    "source_identity",
]


@dataclass(frozen=True)
class RenderSettings:
    out_dir: Path  # the blob store's temporary area: swept by `refrain blobs gc`
    max_attempts: int = 3  # render tries within one claim (out of memory, a killed process)
    backoff_s: float = 0.5
    time_limit_s: float = 600.0  # one claim's render and hand-over, then FAILED and refunded
    lease_s: float = 30.0  # a dead worker's request goes to another within about this
    max_claims: int = 3  # claims before a request whose workers keep dying fails
    deadline_s: float = 1800.0  # a request not made this long after it was asked fails


class RenderJob:
    def __init__(
        self,
        stores: Stores,
        blobs: BlobStore,
        stems: StemSource,
        notifier: Notifier,
        clock: Clock,
        runner: AudioRunner | None,
        settings: RenderSettings,
        deliveries: DeliveryService,
        render: Callable[..., RenderedFile] = render_master_file,
    ) -> None:
        self._stores = stores
        self._blobs = blobs
        self._stems = stems
        self._notifier = notifier
        self._clock = clock
        self._runner = runner or ThreadRunner()
        self._settings = settings
        self._deliveries = deliveries
        self._render = render

    async def run(self, request_id: str, try_number: int = 1) -> RetryIn | None:
        """Make and hand over one request; ``RetryIn`` when it must wait; never raises."""
        started = time.monotonic()
        try:
            retry = await self._run(request_id, try_number)
        except asyncio.CancelledError:
            metrics.job_ran("cancelled", time.monotonic() - started)
            raise
        except Exception as exc:
            wait = backoff_s(try_number, base_s=self._settings.backoff_s)
            if is_infrastructure(exc):
                log.warning("request %s waits %.1f s: %s", request_id, wait, exc)
            else:
                log.exception("job of request %s crashed; trying again in %.1f s", request_id, wait)
            retry = RetryIn(wait, "infrastructure" if is_infrastructure(exc) else "crash")
        metrics.job_ran("again" if retry else "ended", time.monotonic() - started)
        if retry is not None:
            metrics.retried(retry.reason)
        return retry

    async def _run(self, request_id: str, try_number: int) -> RetryIn | None:
        now = self._clock.now()
        settings = self._settings
        claimed = await self._stores.runs.claim(
            request_id, new_id(), now, settings.lease_s, settings.max_claims
        )
        if isinstance(claimed, NotClaimed):
            return await self._not_claimed(request_id, claimed, now)
        if (now - claimed.request.created_at).total_seconds() > settings.deadline_s:
            await self._fail(
                claimed.request,
                "It waited too long in line (the servers were busy or unreachable).",
                claimed.token,
            )
            return None
        keeper = LeaseKeeper(self._stores.runs, self._clock, claimed, settings.lease_s)
        try:
            async with asyncio.timeout(settings.time_limit_s) as limit:
                await keeper.guard(self._attempt(claimed))
        except LostClaim:
            log.info("request %s: claim lost (cancelled or taken over); stopping", request_id)
        except asyncio.CancelledError:  # the worker stops: another may take it over at once
            await asyncio.shield(self._give_back(keeper.claim))
            raise
        except TimeoutError:
            if not limit.expired():
                return await self._after_error(keeper.claim, TimeoutError(), try_number)
            log.error("render of %s passed its time limit of %.0f s", request_id,
                      settings.time_limit_s)
            await self._fail(
                claimed.request,
                f"It took too long to make (the limit is {_duration(settings.time_limit_s)}).",
                keeper.claim.token,
            )
        except Exception as exc:
            return await self._after_error(keeper.claim, exc, try_number)
        return None

    async def _not_claimed(
        self, request_id: str, refused: NotClaimed, now: datetime
    ) -> RetryIn | None:
        if refused.reason is Unclaimable.MISSING:
            log.warning("request %s is not in this database; job ignored", request_id)
        elif refused.reason is Unclaimable.HELD:
            until = refused.retry_at or now
            return RetryIn(max(0.5, (until - now).total_seconds() + 0.5), "held by another worker")
        elif refused.reason is Unclaimable.EXHAUSTED and refused.request is not None:
            log.error("request %s: its workers stopped %d times; giving up", request_id,
                      refused.request.attempts)
            await self._fail(
                refused.request,
                f"It couldn't be finished after {refused.request.attempts} tries "
                "(the render kept stopping on our side).",
                None,
            )
        return None

    async def _after_error(
        self, claim: Claim, exc: BaseException, try_number: int
    ) -> RetryIn | None:
        """Wait and retry after an outage; fail (and refund) when the request itself failed."""
        if isinstance(exc, Exception) and is_infrastructure(exc):
            wait = backoff_s(try_number, base_s=self._settings.backoff_s)
            log.warning("request %s: %s; giving it back, next try in %.1f s",
                        claim.request.id, exc, wait)
            await self._give_back(claim)
            return RetryIn(wait, "infrastructure")
        await self._fail(claim.request, exc, claim.token)
        return None

    async def _give_back(self, claim: Claim) -> None:
        """Release the claim (the try does not count); if that fails too, its lease lapses."""
        try:
            await self._stores.runs.release(claim, self._clock.now())
        except Exception:
            log.info("could not give back %s yet; its lease will lapse", claim.request.id)

    async def _attempt(self, claim: Claim) -> None:
        request = claim.request
        clip = await self._stores.clips.for_request(request.id)  # made by an older version
        if clip is None:
            clip = await self._make_clip(request)
        await self._progress(request.id, "delivering", 95)
        try:
            prepared = await self._deliveries.prepare(
                clip,
                recipient_user_id=request.user_id,
                platform=platform_of(request),
                chat_id=request.channel_id,
                origin=request.origin,
                fmt=delivery_format(request),
            )
        except NotDeliverable as exc:
            raise JobFailure(exc.user_message) from exc
        usage = [prepared.usage] if prepared.usage is not None else []
        done = await self._stores.runs.complete(
            claim, clip, prepared.delivery, usage, self._clock.now()
        )
        if done is None:
            raise LostClaim(request.id)
        await self._publish(
            JobEvent(request.id, JobEventKind.DELIVERED, clip_id=clip.id, percent=100,
                     delivery_id=prepared.delivery.id)
        )

    async def _make_clip(self, request: RenderRequest) -> Clip:
        recording = await self._stores.catalog.get_recording(request.recording_id)
        if recording is None:
            raise JobFailure("That song was removed from the catalog.")
        key_source = source_identity(recording)
        voice_key, voice_sha = await self._voice_of(request)
        key = render_key(
            source=key_source,
            style_id=request.style,
            seconds=float(request.seconds),
            variation=request.variation,
            voice=voice_key,
        )
        master = await self._cached_master(key)
        if master is None:
            master = await self._render_master(request, recording, key, voice_sha)
        else:
            log.info("render cache hit for %s (%s)", request.id, key[:12])
        return Clip(
            id=new_id(),
            request_id=request.id,
            recording_id=recording.id,
            transformation=request.transformation,
            style=request.style,
            voice_model_id=request.voice_model_id,
            license_id=request.license_id,
            license_version=request.license_version,
            requester_id=request.user_id,
            audio_sha256=master.master_sha256,
            duration_s=master.duration_s,
            watermark_token=None,
            created_at=self._clock.now(),
        )

    async def _render_master(
        self, request: RenderRequest, recording: Recording, key: str, voice_sha: str | None
    ) -> CachedRender:
        async def progress(stage: str, percent: int) -> None:
            await self._progress(request.id, stage, percent)

        await progress("separating", 0)
        stem_paths = await self._stems.stem_paths(recording, progress)
        await progress("styling", 40)
        out_dir = self._settings.out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{new_id()}.flac"
        profile = await self._blobs.get_bytes(voice_sha) if voice_sha else None
        seed = render_seed(source_identity(recording), request.style, request.variation)
        try:
            rendered = await self._render_with_retries(
                request.id, stem_paths, request.style, float(request.seconds), seed, target,
                profile,
            )
            await progress("mastering", 85)
            sha = await self._blobs.put_file(rendered.path)
        finally:
            target.unlink(missing_ok=True)
        master = CachedRender(sha, rendered.duration_s)
        try:
            await self._stores.render_cache.put(key, master, self._clock.now())
        except Exception as exc:  # the master serves this request anyway; the next renders again
            log.warning("could not remember the render of %s in the cache: %s", request.id, exc)
        return master

    async def _render_with_retries(
        self, request_id: str, *args: object
    ) -> RenderedFile:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._runner.run(self._render, *args)
            except VoiceError as exc:
                raise JobFailure(f"The voice conversion failed: {exc}") from exc
            except Exception as exc:
                if not is_retryable_render(exc) or attempt >= self._settings.max_attempts:
                    raise
                log.warning("render %s attempt %d failed (%s), retrying", request_id, attempt,
                            type(exc).__name__)
                await asyncio.sleep(self._settings.backoff_s * 2 ** (attempt - 1))

    async def _voice_of(self, request: RenderRequest) -> tuple[str | None, str | None]:
        """(render-key part, profile blob) of the request's voice, checked again right now.

        A voice can be revoked while the request waits in the queue: revocation
        takes effect at once, so the job refuses (and the quota is refunded).
        """
        if request.voice_model_id is None:
            return None, None
        voice = await self._stores.catalog.get_voice_model(request.voice_model_id)
        if voice is None or (voice.revoked_at is not None and voice.revoked_at <= self._clock.now()):
            name = voice.name if voice else "that voice"
            raise JobFailure(
                f"{name} withdrew consent for their voice while your request was waiting, "
                "so this voice cover was not made."
            )
        sha = await self._stores.voices.profile_sha256(voice.id)
        if sha is None or not await self._blobs.exists(sha):
            raise JobFailure(
                f"The voice of {voice.name} is registered but has no learnt profile on this "
                "server yet; a moderator can add it with `refrain voices add`."
            )
        return f"{voice.id}:{sha}", sha

    async def _cached_master(self, key: str) -> CachedRender | None:
        cached = await self._stores.render_cache.get(key, self._clock.now())
        if cached is None:
            return None
        if await self._blobs.exists(cached.master_sha256):
            return cached
        await self._stores.render_cache.forget(key)  # evicted by the blob collector
        return None

    async def _progress(self, request_id: str, stage: str, percent: int) -> None:
        """Best effort: a progress line lost to a database blip costs nothing."""
        try:
            await self._stores.requests.set_progress(request_id, stage, percent, self._clock.now())
        except Exception as exc:
            log.info("progress of %s not recorded: %s", request_id, exc)
        await self._publish(
            JobEvent(request_id, JobEventKind.PROGRESS, stage=stage, percent=percent)
        )

    async def _publish(self, event: JobEvent) -> None:
        try:
            await self._notifier.publish(event)
        except Exception as exc:  # the request row is the truth; adapters poll it too
            log.info("event %s of %s not published: %s", event.kind.value, event.request_id, exc)

    async def _fail(
        self, request: RenderRequest, why: BaseException | str, token: str | None
    ) -> None:
        message = self._reason(request, why)
        failed = await self._stores.runs.fail(request.id, message, self._clock.now(), token=token)
        if failed is not None:
            metrics.failed(_reason_code(why))
            await self._publish(JobEvent(request.id, JobEventKind.FAILED, message=message))

    @staticmethod
    def _reason(request: RenderRequest, why: BaseException | str) -> str:
        """What the fan reads: our own words (never a host, a path or SQL), then the refund."""
        if isinstance(why, str):
            message = why
        elif isinstance(why, MemoryError):
            log.error("render of %s ran out of memory on every attempt", request.id)
            message = (
                "This render needed more memory than the server has free right now; "
                "try a shorter clip, or again in a few minutes."
            )
        elif isinstance(why, JobFailure):
            log.warning("render of %s failed: %s", request.id, why.user_message)
            message = why.user_message
        else:
            incident = new_id()[-8:]
            log.error("render of %s failed (incident %s)", request.id, incident, exc_info=why)
            message = f"Rendering failed on our side (incident `{incident}`)."
        return f"{sentence(message)} Your {request.seconds} s were refunded."


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def _reason_code(why: BaseException | str) -> str:
    """A short label for the failures metric (never the fan's words, which vary)."""
    if isinstance(why, str):
        return "limit"
    if isinstance(why, JobFailure):
        return "refused"
    return type(why).__name__


def sentence(text: str) -> str:
    """``text`` ending with a full stop (or its own ! or ?), so the next sentence reads right."""
    stripped = text.rstrip()
    return stripped if stripped.endswith((".", "!", "?", ".)", ".*")) else f"{stripped}."

