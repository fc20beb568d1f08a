"""From a share id or delivery id to everything a page or a clip response needs.

Whether a clip may still be served is ``core.deliveries.availability``'s rule,
the same one the bots apply; credits are ``core.deliveries.credits``'.

One lookup touches five or six tables (delivery, clip, recording, work
shares, voice model, opt-outs, takedown); a share link posted in a busy chat
is opened hundreds of times a minute, so results are kept for a few seconds
(``settings.web.page_cache_ttl_s``) and renewed in the background while still
served. The TTL is also the longest a takedown, revocation or opt-out waits
before links answer 410.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from core.deliveries.availability import withdrawn_reason
from core.deliveries.credits import Credits, credits_for
from core.model import Clip, Delivery, PartyKind, RightType, SubjectKind
from core.ports import BlobStore, Stores

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SharedClip:
    """A delivery with its credits, its file and, when it may no longer be served, why not."""

    delivery: Delivery
    clip: Clip
    credits: Credits
    writers: tuple[str, ...]
    voice: str | None
    path: Path
    gone: str | None

    @property
    def heading(self) -> str:
        """'Golden Hour (Lo-fi cover)': the title every other door gives the clip too."""
        return self.credits.title

    @property
    def duration_ms(self) -> int:
        return round(self.clip.duration_s * 1000)


class CacheStats:
    def __init__(self) -> None:
        self.hits = 0
        self.misses = 0


class SharedClips:
    """Looks up shared clips by share id or delivery id, with a short, bounded cache."""

    def __init__(
        self, stores: Stores, blobs: BlobStore, *, ttl_s: float, max_entries: int = 10_000
    ) -> None:
        self._stores = stores
        self._blobs = blobs
        self._ttl = ttl_s
        self._max = max_entries
        self._cache: OrderedDict[str, tuple[float, SharedClip | None]] = OrderedDict()
        self._loading: dict[str, asyncio.Future[SharedClip | None]] = {}
        self.stats = CacheStats()

    async def by_share_id(self, share_id: str) -> SharedClip | None:
        return await self._cached(f"s:{share_id}", share_id, by_share=True)

    async def by_delivery_id(self, delivery_id: str) -> SharedClip | None:
        return await self._cached(f"d:{delivery_id}", delivery_id, by_share=False)

    def forget(self) -> None:
        """Drop every cached entry (tests; an operator's takedown tool may call it)."""
        self._cache.clear()

    async def _cached(self, key: str, ident: str, *, by_share: bool) -> SharedClip | None:
        """The lookup of ``key``, from the cache while fresh, else from the database.

        An entry is fresh for half the TTL; in the second half it is still
        answered, while one background lookup renews it, so a busy link never
        makes every request wait for the database. Nothing older than the TTL
        (counted from when its lookup began) is ever answered.
        """
        now = time.monotonic()
        entry = self._cache.get(key)
        if entry is not None:
            expires, found = entry
            if expires - self._ttl / 2 > now:
                self.stats.hits += 1
                self._cache.move_to_end(key)
                return found
            if expires > now:
                self.stats.hits += 1
                self._renew(key, ident, by_share)
                return found
        self.stats.misses += 1
        # shielded: a client that hangs up must not cancel the lookup others wait for
        return await asyncio.shield(self._renew(key, ident, by_share))

    def _renew(self, key: str, ident: str, by_share: bool) -> asyncio.Future[SharedClip | None]:
        """The lookup of ``key`` in flight, started if none is.

        One database lookup per key at a time: a link posted in a busy chat
        brings hundreds of loads at once, and they all share the first one's answer.
        """
        task = self._loading.get(key)
        if task is None:
            task = asyncio.ensure_future(self._lookup(ident, by_share))
            self._loading[key] = task
            task.add_done_callback(functools.partial(self._loaded, key, time.monotonic()))
        return task

    def _loaded(self, key: str, started: float, task: asyncio.Future[SharedClip | None]) -> None:
        self._loading.pop(key, None)
        if task.cancelled():
            return
        error = task.exception()  # retrieved here too: a background renewal has no awaiter
        if error is not None:
            log.warning("lookup of %s failed: %r", key[:2], error)
            return
        if self._ttl > 0:
            self._cache[key] = (started + self._ttl, task.result())
            self._cache.move_to_end(key)
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)

    async def _lookup(self, ident: str, by_share: bool) -> SharedClip | None:
        deliveries = self._stores.deliveries
        delivery = await (deliveries.by_share_id(ident) if by_share else deliveries.get(ident))
        return None if delivery is None else await self._load(delivery)

    async def _load(self, delivery: Delivery) -> SharedClip | None:
        stores = self._stores
        clip = await stores.clips.get(delivery.clip_id)
        if clip is None:
            return None
        recording = await stores.catalog.get_recording(clip.recording_id)
        voice = None
        if clip.voice_model_id is not None:
            model = await stores.catalog.get_voice_model(clip.voice_model_id)
            voice = model.name if model is not None else None
        return SharedClip(
            delivery=delivery,
            clip=clip,
            credits=await credits_for(clip, stores.catalog),
            writers=await self._writers(recording.work_id) if recording is not None else (),
            voice=voice,
            path=self._blobs.path_of(delivery.sha256),
            gone=await withdrawn_reason(clip, stores),
        )

    async def _writers(self, work_id: str) -> tuple[str, ...]:
        """Songwriters credited on the work (publishers are not 'writers')."""
        catalog = self._stores.catalog
        names: list[str] = []
        for share in await catalog.shares_for(SubjectKind.WORK, work_id):
            if share.right not in (RightType.PERF, RightType.MECH):
                continue
            party = await catalog.get_party(share.party_id)
            if party is not None and party.kind is PartyKind.SONGWRITER and party.name not in names:
                names.append(party.name)
        return tuple(names)
