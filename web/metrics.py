"""Prometheus text exposition, written by hand: a few counters need no client library.

Two kinds of figures: what this process saw (HTTP requests, beacons, plays it
ingested, renders it watched finish, its lookup cache), kept in memory; and
what the database says (requests by state, queue depth), read at scrape time
and cached briefly so a scrape storm cannot load the database.
"""

from __future__ import annotations

import bisect
import time
from collections import defaultdict
from collections.abc import Iterable

from core.model import RequestState
from core.ports import Stores
from web.resolve import CacheStats

_HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_RENDER_BUCKETS = (1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class Histogram:
    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets = buckets
        self.counts = [0] * len(buckets)
        self.total = 0.0
        self.n = 0

    def observe(self, value: float) -> None:
        index = bisect.bisect_left(self.buckets, value)
        if index < len(self.counts):
            self.counts[index] += 1
        self.total += value
        self.n += 1

    def lines(self, name: str, labels: str = "") -> Iterable[str]:
        running = 0
        sep = "," if labels else ""
        for bound, count in zip(self.buckets, self.counts, strict=True):
            running += count
            yield f'{name}_bucket{{{labels}{sep}le="{bound:g}"}} {running}'
        yield f'{name}_bucket{{{labels}{sep}le="+Inf"}} {self.n}'
        suffix = f"{{{labels}}}" if labels else ""
        yield f"{name}_sum{suffix} {self.total:.6f}"
        yield f"{name}_count{suffix} {self.n}"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class WebMetrics:
    """The figures ``/metrics`` reports."""

    def __init__(self, stores: Stores, *, db_cache_s: float = 10.0) -> None:
        self._stores = stores
        self._db_cache_s = db_cache_s
        self._db_at = -1e18
        self._by_state: dict[RequestState, int] = {}
        self.http_requests: defaultdict[tuple[str, str, int], int] = defaultdict(int)
        self.http_seconds: dict[str, Histogram] = {}
        self.beacons: defaultdict[str, int] = defaultdict(int)
        self.plays_ingested = 0
        self.render_seconds = Histogram(_RENDER_BUCKETS)
        self.cache = CacheStats()  # the lookup cache's own counters (web.resolve)

    def observe_http(self, route: str, method: str, status: int, seconds: float) -> None:
        self.http_requests[(route, method, status)] += 1
        histogram = self.http_seconds.get(route)
        if histogram is None:
            histogram = self.http_seconds[route] = Histogram(_HTTP_BUCKETS)
        histogram.observe(seconds)

    async def requests_by_state(self) -> dict[RequestState, int]:
        """Render requests per state, from the database, at most every ``db_cache_s``."""
        now = time.monotonic()
        if now - self._db_at >= self._db_cache_s:
            counts = dict.fromkeys(RequestState, 0)
            for request in await self._stores.requests.list_in_states(frozenset(RequestState)):
                counts[request.state] += 1
            self._by_state = counts
            self._db_at = now
        return self._by_state

    async def render(self) -> str:
        by_state = await self.requests_by_state()
        out = [
            "# HELP refrain_requests Render requests by state (from the database).",
            "# TYPE refrain_requests gauge",
            *(f'refrain_requests{{state="{s.value}"}} {n}' for s, n in by_state.items()),
            "# HELP refrain_queue_depth Requests waiting to be rendered.",
            "# TYPE refrain_queue_depth gauge",
            f"refrain_queue_depth {by_state.get(RequestState.QUEUED, 0)}",
            "# HELP refrain_render_seconds Wall time from a render's first progress to its delivery "
            "(renders this process saw finish).",
            "# TYPE refrain_render_seconds histogram",
            *self.render_seconds.lines("refrain_render_seconds"),
            "# HELP refrain_plays_ingested_total Play events stored from web beacons.",
            "# TYPE refrain_plays_ingested_total counter",
            f"refrain_plays_ingested_total {self.plays_ingested}",
            "# HELP refrain_web_beacons_total Play beacons by outcome.",
            "# TYPE refrain_web_beacons_total counter",
            *(f'refrain_web_beacons_total{{outcome="{_label(k)}"}} {v}'
              for k, v in sorted(self.beacons.items())),
            "# HELP refrain_web_cache_hits_total Share/clip lookups answered from the cache.",
            "# TYPE refrain_web_cache_hits_total counter",
            f"refrain_web_cache_hits_total {self.cache.hits}",
            "# HELP refrain_web_cache_misses_total Share/clip lookups that went to the database.",
            "# TYPE refrain_web_cache_misses_total counter",
            f"refrain_web_cache_misses_total {self.cache.misses}",
            "# HELP refrain_web_cache_hit_ratio Share/clip lookup cache hit rate since start.",
            "# TYPE refrain_web_cache_hit_ratio gauge",
            f"refrain_web_cache_hit_ratio {self._hit_ratio():.4f}",
            "# HELP refrain_http_requests_total HTTP requests by route, method and status.",
            "# TYPE refrain_http_requests_total counter",
        ]
        for (route, method, status), n in sorted(self.http_requests.items()):
            out.append(
                f'refrain_http_requests_total{{route="{_label(route)}",method="{method}",'
                f'status="{status}"}} {n}'
            )
        out += [
            "# HELP refrain_http_request_seconds Time to answer, by route.",
            "# TYPE refrain_http_request_seconds histogram",
        ]
        for route, histogram in sorted(self.http_seconds.items()):
            out.extend(histogram.lines("refrain_http_request_seconds", f'route="{_label(route)}"'))
        return "\n".join(out) + "\n"

    def _hit_ratio(self) -> float:
        total = self.cache.hits + self.cache.misses
        return self.cache.hits / total if total else 0.0
