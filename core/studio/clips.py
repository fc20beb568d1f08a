"""Clips of a holder's songs: the list (fans only as an anonymous key) and taking one down.

A takedown is ``core.deliveries.take_down`` — the same as ``refrain takedown``:
links stop, bots stop re-sending, the requester is told — recorded with the
holder's reason and account, and audited. Clips of other holders' songs read
as not found.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core.deliveries import Tracer, take_down
from core.ids import new_id
from core.model import AuditEntry, Clip
from core.ports import Clock, JobEvent, JobEventKind, Stores
from core.studio._values import Holder
from core.studio.accounts import audit_scope
from core.studio.errors import NotYours, StudioError
from core.studio.ports import StudioStore

_MAX_REASON = 500


@dataclass(frozen=True)
class ClipLine:
    clip: Clip
    title: str
    fan: str  # an anonymous key: the same fan reads the same, nobody can tell who it is
    taken_down: str | None  # the reason, once taken down


class StudioClips:
    def __init__(self, store: StudioStore, stores: Stores, clock: Clock, tracer: Tracer | None = None,
                 publish: Callable[[JobEvent], Awaitable[None]] | None = None) -> None:
        self._tracer = tracer
        self._store = store
        self._stores = stores
        self._clock = clock
        self._publish = publish

    async def clips(self, holder: Holder, limit: int = 100) -> list[ClipLine]:
        lines = []
        for clip, title in await self._store.clips_of(holder.party_ids, limit):
            takedown = await self._stores.deliveries.takedown_of(clip.id)
            lines.append(ClipLine(clip, title, fan_key(clip.requester_id),
                                  takedown.why if takedown else None))
        return lines

    async def take_down(self, holder: Holder, clip_id: str, why: str) -> str:
        """Withdraw a clip of one of the holder's songs; returns the words to show."""
        clip = await self._stores.clips.get(clip_id) if len(clip_id) <= 64 else None
        if clip is None:
            raise NotYours()
        holding = await self._store.parties_holding(clip.recording_id) & holder.party_ids
        if not holding:
            raise NotYours()
        why = " ".join(why.split())
        if not why:
            raise StudioError("Say why the clip is taken down: it goes on the record.", "why")
        if len(why) > _MAX_REASON:
            raise StudioError(f"Keep the reason under {_MAX_REASON} characters.", "why")
        outcome = await take_down(self._stores, self._clock, clip.id, why=why,
                                  actor_user_id=f"studio:{holder.account_id}")
        if outcome.new:
            now = self._clock.now()
            await self._stores.audit.append(_entry(min(holding), holder.account_id,
                                                   f"clip {clip.id}: live → taken down ({why})", now))
            if self._publish is not None:
                await self._publish(JobEvent(clip.request_id, JobEventKind.TAKEN_DOWN, clip_id=clip.id,
                                             message=f"Your clip was taken down: {why}"))
        return outcome.message


    async def trace(self, holder: Holder, path: Path) -> str:
        """Which clip of the holder's songs a file is; anything else (another holder's clip,
        no watermark, not audio) reads the same, so nothing about other songs is told."""
        if self._tracer is None:
            raise StudioError("Tracing files is not available on this Refrain.", "file")
        located = await self._tracer.locate(path)
        clip = await self._stores.clips.get(located.clip_id) if located.found and located.clip_id else None
        if clip is None or not await self._store.parties_holding(clip.recording_id) & holder.party_ids:
            return NOT_YOURS
        recording = await self._stores.catalog.get_recording(clip.recording_id)
        title = recording.title if recording is not None else clip.recording_id
        how = "an exact copy" if located.method == "exact" else (
            f"by its watermark, {located.confidence or 0:.0%} sure")
        return (f"A clip of your song {title}: {clip.style} {clip.transformation.value.lower()}, "
                f"made {clip.created_at:%Y-%m-%d} for fan {fan_key(clip.requester_id)} ({how}; "
                f"clip {clip.id}).")


NOT_YOURS = "Not one of your songs: no clip of your songs was found in this file."


def fan_key(requester_id: str) -> str:
    return hashlib.sha256(f"studio-fan|{requester_id}".encode()).hexdigest()[:12]


def _entry(party_id: str, account_id: str, detail: str, at: datetime) -> AuditEntry:
    return AuditEntry(new_id(), audit_scope(party_id), account_id, "studio.takedown", detail, at)
