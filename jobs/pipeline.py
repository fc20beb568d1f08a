"""The render job: from a request id to a delivered clip, safe to run twice.

Both queues call ``RenderJob.run(request_id)``. It loads everything from
storage (tasks take ids, never objects), claims the request (QUEUED →
RUNNING, or resumes a RUNNING one after a crash), gets the stems, renders in
a process pool, stores the clip and marks the request DELIVERED — which
commits the quota. A failure marks it FAILED, which refunds the quota, and
tells the user in words. A request cancelled meanwhile is left alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from core.audio.encode import EncodingError
from core.audio.render import RenderedFile, render_key, render_master_file, render_seed
from core.audio.voice.errors import VoiceError
from core.ids import new_id
from core.model import Clip, Recording, RenderRequest, RequestState
from core.ports import BlobStore, CachedRender, Clock, JobEvent, JobEventKind, Notifier, Stores

log = logging.getLogger(__name__)

CLAIMABLE = frozenset({RequestState.QUEUED, RequestState.RUNNING})


class StemSource(Protocol):
    async def stem_paths(self, recording: Recording, progress: ProgressFn) -> dict[str, Path]:
        """Local files of the recording's four stems (separating them once if needed)."""
        ...


class ProgressFn(Protocol):
    async def __call__(self, stage: str, percent: int) -> None: ...


class UserFacingError(Exception):
    """A failure whose message can be shown to the fan as it is."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.user_message = message
        self.transient = transient


@dataclass(frozen=True)
class RenderSettings:
    out_dir: Path
    max_attempts: int = 3
    backoff_s: float = 0.5


class ProvidedStems:
    """Stems that came with the recording (the demo catalog, or supplied at import)."""

    def __init__(self, blobs: BlobStore, fallback: StemSource | None = None) -> None:
        self._blobs = blobs
        self._fallback = fallback

    async def stem_paths(self, recording: Recording, progress: ProgressFn) -> dict[str, Path]:
        if recording.stems:
            paths = {name: self._blobs.path_of(sha) for name, sha in recording.stems.items()}
            missing = [name for name, path in paths.items() if not path.exists()]
            if not missing:
                return paths
            log.warning("provided stems %s of %s are missing on disk", missing, recording.id)
        if self._fallback is None:
            raise UserFacingError(
                f"*{recording.title}* has no stems yet and no separation model is set up on "
                "this server. A moderator can install one with `refrain models install`."
            )
        return await self._fallback.stem_paths(recording, progress)


def source_identity(recording: Recording) -> str:
    """What the stems are made from: the recording's audio, or its provided stems."""
    if recording.audio_sha256:
        return recording.audio_sha256
    if recording.stems:
        return ",".join(f"{name}={sha}" for name, sha in sorted(recording.stems.items()))
    return recording.id


class RenderJob:
    def __init__(
        self,
        stores: Stores,
        blobs: BlobStore,
        stems: StemSource,
        notifier: Notifier,
        clock: Clock,
        executor: Executor | None,
        settings: RenderSettings,
        render: Callable[..., RenderedFile] = render_master_file,
    ) -> None:
        self._stores = stores
        self._blobs = blobs
        self._stems = stems
        self._notifier = notifier
        self._clock = clock
        self._executor = executor
        self._settings = settings
        self._render = render

    async def run(self, request_id: str) -> None:
        """Render and deliver one request; idempotent, never raises for job errors."""
        request = await self._stores.requests.get(request_id)
        if request is None:
            log.warning("request %s is not in this database; job ignored", request_id)
            return
        if request.state.final:
            return
        existing = await self._stores.clips.for_request(request_id)
        if existing is not None:  # crashed after storing the clip: finish the delivery
            await self._deliver(request, existing)
            return
        claimed = await self._stores.requests.transition(
            request_id, CLAIMABLE, RequestState.RUNNING, self._clock.now()
        )
        if claimed is None:
            return
        attempt = 0
        while True:
            attempt += 1
            try:
                clip = await self._render_once(claimed)
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                transient = _is_transient(exc)
                if transient and attempt < self._settings.max_attempts:
                    log.warning("render %s attempt %d failed, retrying", request_id, attempt,
                                exc_info=True)
                    await asyncio.sleep(self._settings.backoff_s * 2 ** (attempt - 1))
                    continue
                await self._fail(claimed, exc)
                return
        if clip is not None:
            await self._deliver(claimed, clip)

    async def _progress(self, request_id: str, stage: str, percent: int) -> None:
        await self._stores.requests.set_progress(request_id, stage, percent, self._clock.now())
        await self._notifier.publish(
            JobEvent(request_id, JobEventKind.PROGRESS, stage=stage, percent=percent)
        )

    async def _render_once(self, request: RenderRequest) -> Clip | None:
        recording = await self._stores.catalog.get_recording(request.recording_id)
        if recording is None:
            raise UserFacingError("That song was removed from the catalog.")

        async def progress(stage: str, percent: int) -> None:
            await self._progress(request.id, stage, percent)

        key_source = source_identity(recording)
        voice_key, voice_sha = await self._voice_of(request)
        key = render_key(
            source=key_source,
            style_id=request.style,
            seconds=float(request.seconds),
            variation=request.variation,
            voice=voice_key,
        )
        clip_id = new_id()
        master = await self._cached_master(key)
        if master is None:
            await progress("separating", 0)
            stem_paths = await self._stems.stem_paths(recording, progress)
            await progress("styling", 40)
            out_dir = self._settings.out_dir
            out_dir.mkdir(parents=True, exist_ok=True)
            target = out_dir / f"{clip_id}.flac"
            profile = await self._blobs.get_bytes(voice_sha) if voice_sha else None
            loop = asyncio.get_running_loop()
            try:
                rendered = await loop.run_in_executor(
                    self._executor,
                    self._render,
                    stem_paths,
                    request.style,
                    float(request.seconds),
                    render_seed(key_source, request.style, request.variation),
                    target,
                    profile,
                )
            except VoiceError as exc:
                raise UserFacingError(f"The voice conversion failed: {exc}") from exc
            await progress("mastering", 85)
            sha = await self._blobs.put_file(rendered.path)
            rendered.path.unlink(missing_ok=True)
            master = CachedRender(sha, rendered.duration_s)
            await self._stores.render_cache.put(key, master, self._clock.now())
        else:
            log.info("render cache hit for %s (%s)", request.id, key[:12])
        await progress("encoding", 90)
        current = await self._stores.requests.get(request.id)
        if current is None or current.state is not RequestState.RUNNING:
            return None  # cancelled while rendering; the master stays cached
        sha, duration_s = master.master_sha256, master.duration_s
        clip = Clip(
            id=clip_id,
            request_id=request.id,
            recording_id=recording.id,
            transformation=request.transformation,
            style=request.style,
            voice_model_id=request.voice_model_id,
            license_id=request.license_id,
            license_version=request.license_version,
            requester_id=request.user_id,
            audio_sha256=sha,
            duration_s=duration_s,
            watermark_token=None,
            created_at=self._clock.now(),
        )
        await self._stores.clips.add(clip)
        return clip

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
            raise UserFacingError(
                f"{name} withdrew consent for their voice while your request was waiting, "
                "so this voice cover was not made."
            )
        sha = await self._stores.voices.profile_sha256(voice.id)
        if sha is None or not await self._blobs.exists(sha):
            raise UserFacingError(
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

    async def _deliver(self, request: RenderRequest, clip: Clip) -> None:
        done = await self._stores.requests.transition(
            request.id, CLAIMABLE, RequestState.DELIVERED, self._clock.now(), clip_id=clip.id
        )
        if done is not None:
            await self._notifier.publish(
                JobEvent(request.id, JobEventKind.DELIVERED, clip_id=clip.id, percent=100)
            )

    async def _fail(self, request: RenderRequest, exc: Exception) -> None:
        message = getattr(exc, "user_message", None)
        if isinstance(exc, MemoryError):
            log.error("render of %s ran out of memory on every attempt", request.id)
            message = (
                "This render needed more memory than the server has free right now; "
                "try a shorter clip, or again in a few minutes."
            )
        elif not isinstance(message, str):
            incident = new_id()[-8:]
            log.error("render of %s failed (incident %s)", request.id, incident, exc_info=exc)
            message = f"Rendering failed on our side (incident `{incident}`)."
        else:
            log.warning("render of %s failed: %s", request.id, message)
        message += f" Your {request.seconds} s were refunded."
        failed = await self._stores.requests.transition(
            request.id, CLAIMABLE, RequestState.FAILED, self._clock.now(), error=message
        )
        if failed is not None:
            await self._notifier.publish(JobEvent(request.id, JobEventKind.FAILED, message=message))


def _is_transient(exc: Exception) -> bool:
    if isinstance(exc, UserFacingError):
        return exc.transient
    if isinstance(exc, EncodingError | MemoryError):
        return isinstance(exc, MemoryError)
    return isinstance(exc, OSError | ConnectionError | TimeoutError)
