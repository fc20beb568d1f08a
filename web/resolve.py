"""From a share id or delivery id to everything a page or a clip response needs.

The lookup itself is ``core.deliveries.SharedCopies`` (whether a clip may
still be served is the same rule the bots apply).

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

from core.deliveries import SharedClip, SharedCopies

log = logging.getLogger(__name__)


class CacheStats:
    def __init__(self) -> None:
        self.hits = 0
        self.misses = 0


class SharedClips:
    """Looks up shared clips by share id or delivery id, with a short, bounded cache."""

    def __init__(self, copies: SharedCopies, *, ttl_s: float, max_entries: int = 10_000) -> None:
        self._copies = copies
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
        return await self._copies.lookup(ident, by_share=by_share)
