"""Handing clips out: every delivery is its own watermarked, tagged copy, logged as usage.

The render job leaves a mastered, unmarked clip; the adapters call
``deliver`` when they hand it to someone (the requester's chat, a button, a
shared link, a local file). Each call mints a 64-bit token, marks and
encodes a copy in the audio executor, stores it with its sha256 (exact
matches in ``trace``), records the delivery and logs a ``DELIVERY`` play
event. Re-sending the same file (a Telegram ``file_id``) is ``resend``: no
new copy, one more usage line.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from core.deliveries.availability import withdrawn_reason
from core.deliveries.credits import Credits, credits_for
from core.errors import UserFacing
from core.ids import new_id
from core.listeners import listener_key
from core.media import ClipTags, EncodeFormat, MarkingKey
from core.model import WORLDWIDE, Clip, Delivery, Origin, PlayEvent, RenderRequest, UsageType
from core.ports import BlobStore, Clock, DeliveryAudio, PlayLog, Stores

log = logging.getLogger(__name__)

try:
    GENERATOR_VERSION = version("refrain")
except PackageNotFoundError:  # running from a source tree that was never installed
    GENERATOR_VERSION = "0+source"

SHARE_ID_BYTES = 12  # 16 url-safe characters: unguessable, short enough for a link


class NotDeliverable(UserFacing):
    """The clip cannot be handed out (any more); ``user_message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.user_message = message


@dataclass(frozen=True)
class DeliveredFile:
    delivery: Delivery
    path: Path  # inside the blob store: do not delete or modify
    filename: str
    title: str
    performer: str
    credits: str
    duration_s: float
    share_url: str
    # what the file states about itself (schema refrain.provenance/1): the JSON sidecar
    provenance: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PreparedCopy:
    """A marked copy stored as a blob, with the rows that record it (not written yet)."""

    delivery: Delivery
    usage: PlayEvent | None
    file: DeliveredFile


@dataclass(frozen=True)
class ShareableClip:
    clip_id: str
    title: str
    performer: str
    credits: str
    duration_s: float
    delivery: Delivery | None  # the user's own copy, when they have one


def share_url(public_url: str, share_id: str) -> str:
    return f"{public_url.rstrip('/')}/s/{share_id}"


class DeliveryService:
    def __init__(
        self,
        stores: Stores,
        blobs: BlobStore,
        clock: Clock,
        executor: Executor | None,
        *,
        marking_key: MarkingKey,
        listener_secret: bytes,
        public_url: str,
        work_dir: Path,
        audio: DeliveryAudio,
        plays: PlayLog | None = None,
    ) -> None:
        self._stores = stores
        self._blobs = blobs
        self._clock = clock
        self._executor = executor
        self._key = marking_key
        self._listener_secret = listener_secret
        self._public_url = public_url
        self._work_dir = work_dir
        self._plays = plays
        self._audio = audio

    async def delivery(self, delivery_id: str) -> Delivery | None:
        return await self._stores.deliveries.get(delivery_id)

    async def by_share_id(self, share_id: str) -> Delivery | None:
        return await self._stores.deliveries.by_share_id(share_id)

    async def copies(self, clip_id: str) -> list[Delivery]:
        """Every delivered copy of a clip, oldest first."""
        return await self._stores.deliveries.for_clip(clip_id)

    async def credits(self, clip_id: str) -> Credits:
        clip = await self._clip(clip_id)
        return await credits_for(clip, self._stores.catalog)

    async def deliver(
        self,
        clip_id: str,
        *,
        recipient_user_id: str,
        platform: str,
        chat_id: str | None,
        origin: Origin,
        fmt: EncodeFormat,
    ) -> DeliveredFile:
        """A new marked copy of ``clip_id`` for ``recipient_user_id``; raises ``NotDeliverable``."""
        clip = await self._clip(clip_id)
        prepared = await self.prepare(
            clip,
            recipient_user_id=recipient_user_id,
            platform=platform,
            chat_id=chat_id,
            origin=origin,
            fmt=fmt,
        )
        await self._stores.deliveries.add(prepared.delivery)
        if self._plays is not None and prepared.usage is not None:
            await self._plays.append([prepared.usage])
        return prepared.file

    async def prepare(
        self,
        clip: Clip,
        *,
        recipient_user_id: str,
        platform: str,
        chat_id: str | None,
        origin: Origin,
        fmt: EncodeFormat,
    ) -> PreparedCopy:
        """Mark, encode and store a copy of ``clip``; its rows are the caller's to write.

        The render job writes them in the same transaction that makes its
        request DELIVERED, so a fan is charged exactly when their copy exists.
        Raises ``NotDeliverable`` when the clip may no longer be handed out.
        """
        reason = await withdrawn_reason(clip, self._stores)
        if reason is not None:
            raise NotDeliverable(reason)
        master = self._blobs.path_of(clip.audio_sha256)
        if not await self._blobs.exists(clip.audio_sha256):
            raise NotDeliverable(
                "The audio of this clip is no longer kept (clips expire after a while). "
                "Ask for a new cover: it will be ready in seconds."
            )
        credits = await credits_for(clip, self._stores.catalog)
        delivery_id = new_id()
        share_id = secrets.token_urlsafe(SHARE_ID_BYTES)
        token = secrets.randbits(64)
        url = share_url(self._public_url, share_id)
        tags = ClipTags(
            title=credits.title,
            artist=credits.performer,
            clip_id=clip.id,
            license_id=clip.license_id,
            license_version=clip.license_version,
            url=url,
        )
        created_at = self._clock.now()  # the row and the provenance record agree
        provenance = await self._provenance(
            clip, credits.style_name, delivery_id, created_at, fmt, url
        )
        extra = {
            "REFRAIN_DELIVERY_ID": delivery_id,
            "REFRAIN_LICENSE": f"{clip.license_id} v{clip.license_version}",
        }
        self._work_dir.mkdir(parents=True, exist_ok=True)
        target = self._work_dir / f"{delivery_id}{fmt.suffix}"
        loop = asyncio.get_running_loop()
        try:
            marked = await loop.run_in_executor(
                self._executor,
                functools.partial(
                    self._audio.mark_and_encode,
                    master, token, self._key, fmt, target, tags, provenance, extra,
                ),
            )
            sha = await self._blobs.put_file(marked.path)
        finally:
            target.unlink(missing_ok=True)
        delivery = Delivery(
            id=delivery_id,
            clip_id=clip.id,
            token=token,
            key_id=self._key.key_id,
            recipient_user_id=recipient_user_id,
            platform=platform,
            chat_id=chat_id,
            origin=origin,
            fmt=fmt.value,
            sha256=sha,
            size_bytes=marked.size_bytes,
            share_id=share_id,
            created_at=created_at,
        )
        usage = await self._usage(clip, delivery, recipient_user_id, platform, origin)
        return PreparedCopy(
            delivery, usage,
            self._file(delivery, credits, clip.duration_s, url, marked.provenance),
        )

    async def handover(self, request: RenderRequest) -> DeliveredFile:
        """The requester's own copy of a DELIVERED request, to send to their chat.

        The render job made and recorded it before charging; requests
        delivered before that (no ``delivery_id``) get their copy made now.
        Raises ``NotDeliverable`` when it may no longer be handed out.
        """
        if request.clip_id is None:
            raise NotDeliverable("That request has no clip (yet).")
        if request.delivery_id is None:
            return await self.deliver(
                request.clip_id,
                recipient_user_id=request.user_id,
                platform=platform_of(request),
                chat_id=request.channel_id,
                origin=request.origin,
                fmt=delivery_format(request),
            )
        delivery = await self._stores.deliveries.get(request.delivery_id)
        clip = await self._clip(request.clip_id)
        reason = await withdrawn_reason(clip, self._stores)
        if reason is not None:
            raise NotDeliverable(reason)
        if delivery is None or not await self._blobs.exists(delivery.sha256):
            raise NotDeliverable(
                "The audio of this clip is no longer kept (clips expire after a while). "
                "Ask for a new cover: it will be ready in seconds."
            )
        credits = await credits_for(clip, self._stores.catalog)
        url = share_url(self._public_url, delivery.share_id)
        manifest = await self._provenance(
            clip, credits.style_name, delivery.id, delivery.created_at,
            EncodeFormat(delivery.fmt), url,
        )
        return self._file(
            delivery, credits, clip.duration_s, url,
            self._audio.with_sha256(manifest, delivery.sha256),
        )

    async def handed_over(self, delivery_id: str) -> None:
        """The chat got this copy: it is no longer waiting to be handed over."""
        await self._stores.deliveries.mark_handed_over(delivery_id, self._clock.now())

    def _file(
        self,
        delivery: Delivery,
        credits: Credits,
        duration_s: float,
        url: str,
        manifest: dict[str, Any],
    ) -> DeliveredFile:
        return DeliveredFile(
            delivery=delivery,
            path=self._blobs.path_of(delivery.sha256),
            filename=_filename(credits.title, EncodeFormat(delivery.fmt)),
            title=credits.title,
            performer=credits.performer,
            credits=credits.line,
            duration_s=duration_s,
            share_url=url,
            provenance=manifest,
        )

    async def _provenance(
        self,
        clip: Clip,
        style_name: str,
        delivery_id: str,
        created_at: datetime,
        fmt: EncodeFormat,
        url: str,
    ) -> dict[str, Any]:
        catalog = self._stores.catalog
        recording = await catalog.get_recording(clip.recording_id)
        work = await catalog.get_work(recording.work_id) if recording else None
        voice = await catalog.get_voice_model(clip.voice_model_id) if clip.voice_model_id else None
        return self._audio.provenance(
            generator_version=GENERATOR_VERSION,
            clip=clip,
            recording=recording,
            work=work,
            voice=voice,
            style_name=style_name,
            delivery_id=delivery_id,
            created_at=created_at,
            fmt=fmt,
            duration_s=clip.duration_s,
            share_url=url,
        )

    async def resend(
        self,
        delivery_id: str,
        *,
        platform: str,
        chat_id: str | None,
        recipient_user_id: str,
        origin: Origin,
    ) -> Delivery:
        """The same copy handed on again (no new file): one more ``DELIVERY`` usage line."""
        delivery = await self._stores.deliveries.get(delivery_id)
        if delivery is None:
            raise NotDeliverable("That clip link is unknown or expired.")
        clip = await self._clip(delivery.clip_id)
        reason = await withdrawn_reason(clip, self._stores)
        if reason is not None:
            raise NotDeliverable(reason)
        usage = await self._usage(clip, delivery, recipient_user_id, platform, origin)
        if self._plays is not None and usage is not None:
            await self._plays.append([usage])
        return delivery

    async def awaiting_handover(self, platform: str, since: datetime) -> list[RenderRequest]:
        """Finished requests of ``platform`` whose requester's chat never got their copy.

        A bot that was down (or restarted) while a worker finished a job missed
        its event; on start it hands these over, so no result is lost.
        """
        return await self._stores.runs.awaiting_handover(platform, since)

    async def remember_file_id(self, delivery_id: str, file_id: str) -> None:
        await self._stores.deliveries.set_platform_file_id(delivery_id, file_id)

    async def shareable(
        self, user_id: str, query: str, limit: int, offset: int
    ) -> list[ShareableClip]:
        """The user's own clips, then popular ones, matching ``query`` (inline mode)."""
        wanted = query.casefold().strip()
        own = await self._stores.clips.list_for_requester(user_id, limit=200)
        popular = await self._stores.clips.popular(limit=200)
        seen: set[str] = set()
        found: list[ShareableClip] = []
        for clip in [*own, *popular]:
            if clip.id in seen:
                continue
            seen.add(clip.id)
            if await withdrawn_reason(clip, self._stores) is not None:
                continue
            credits = await credits_for(clip, self._stores.catalog)
            haystack = f"{credits.title} {credits.artist}".casefold()
            if wanted and wanted not in haystack:
                continue
            mine = [
                d for d in await self._stores.deliveries.for_clip(clip.id)
                if d.recipient_user_id == user_id
            ]
            found.append(
                ShareableClip(
                    clip_id=clip.id,
                    title=credits.title,
                    performer=credits.performer,
                    credits=credits.line,
                    duration_s=clip.duration_s,
                    delivery=mine[-1] if mine else None,
                )
            )
            if len(found) >= offset + limit:
                break
        return found[offset : offset + limit]

    async def _clip(self, clip_id: str) -> Clip:
        clip = await self._stores.clips.get(clip_id)
        if clip is None:
            raise NotDeliverable("That clip does not exist (any more).")
        return clip

    async def _usage(
        self, clip: Clip, delivery: Delivery, user_id: str, platform: str, origin: Origin
    ) -> PlayEvent | None:
        """The ``DELIVERY`` usage line of a hand-over (none where plays are not logged)."""
        if self._plays is None:
            return None
        user = await self._stores.users.get(user_id)
        identifier = user.platform_user_id if user else user_id
        user_platform = user.platform if user else platform
        request = await self._stores.requests.get(clip.request_id)
        territory = (user.country if user and user.country else None) or (
            request.territory if request else WORLDWIDE
        )
        now = self._clock.now()
        return PlayEvent(
            event_id=new_id(),
            clip_id=clip.id,
            delivery_id=delivery.id,
            usage=UsageType.DELIVERY,
            listener_key=listener_key(self._listener_secret, user_platform, identifier),
            platform=platform,
            origin=origin,
            ms_played=0,
            territory=territory,
            played_at=now,
            received_at=now,
        )


def platform_of(request: RenderRequest) -> str:
    """The platform a request came from: its idempotency key starts with it."""
    return request.idempotency_key.partition(":")[0]


USUAL_FORMATS = {"discord": EncodeFormat.OPUS, "telegram": EncodeFormat.MP3}
"""What each platform plays inline: Discord Opus voice-message style, Telegram's audio player MP3."""


def delivery_format(request: RenderRequest) -> EncodeFormat:
    """The format of the requester's copy: what they asked for, else their platform's usual."""
    if request.delivery_format is not None:
        return EncodeFormat(request.delivery_format)
    return USUAL_FORMATS.get(platform_of(request), EncodeFormat.OPUS)


def _filename(title: str, fmt: EncodeFormat) -> str:
    safe = "".join(c for c in title if c.isalnum() or c in " ()-_.,'&").strip() or "Refrain clip"
    return f"{safe[:80]}{fmt.suffix}"
