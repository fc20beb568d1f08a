"""What ``/metrics`` reports, through prometheus_client.

Two kinds of figures: what this web server saw (HTTP requests, beacons, plays it
ingested, renders it watched finish, its lookup cache), counted in metrics of
its own registry; and what the database says (requests by state, queue depth),
read at scrape time and cached briefly so a scrape storm cannot load the
database. The job machinery's figures (every process: serve and workers) come
from ``jobs.metrics``; with ``metrics_dir`` set they are added up over every
process of the host.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from core.model import RequestState
from jobs import metrics as job_metrics
from web.resolve import CacheStats

_HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_RENDER_BUCKETS = (1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class WebMetrics:
    """The web server's own metrics, and the database figures read at scrape time."""

    def __init__(
        self, counts: Callable[[], Awaitable[dict[RequestState, int]]], *, db_cache_s: float = 10.0
    ) -> None:
        self._counts = counts
        self._db_cache_s = db_cache_s
        self._db_at = -1e18
        self._by_state: dict[RequestState, int] = {}
        self.cache = CacheStats()  # the lookup cache's own counters (web.resolve)
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "refrain_http_requests", "HTTP requests by route, method and status.",
            ["route", "method", "status"], registry=self.registry,
        )
        self.http_seconds = Histogram(
            "refrain_http_request_seconds", "Time to answer, by route.", ["route"],
            buckets=_HTTP_BUCKETS, registry=self.registry,
        )
        self.beacons = Counter(
            "refrain_web_beacons", "Play beacons by outcome.", ["outcome"], registry=self.registry
        )
        self.plays_ingested = Counter(
            "refrain_plays_ingested", "Play events stored from web beacons.",
            registry=self.registry,
        )
        self.render_seconds = Histogram(
            "refrain_render_seconds",
            "Wall time from a render's first progress to its delivery (renders this process "
            "saw finish).",
            buckets=_RENDER_BUCKETS, registry=self.registry,
        )

    def observe_http(self, route: str, method: str, status: int, seconds: float) -> None:
        self.http_requests.labels(route, method, str(status)).inc()
        self.http_seconds.labels(route).observe(seconds)

    def beacon(self, outcome: str) -> None:
        self.beacons.labels(outcome).inc()

    def ingested(self, count: int) -> None:
        if count:
            self.plays_ingested.inc(count)

    async def requests_by_state(self) -> dict[RequestState, int]:
        """Render requests per state, from the database, at most every ``db_cache_s``."""
        now = time.monotonic()
        if now - self._db_at >= self._db_cache_s:
            self._by_state = await self._counts()
            self._db_at = now
        return self._by_state

    async def render(self) -> str:
        """The exposition: this server, the job figures of every process, the database."""
        await self.requests_by_state()
        body = job_metrics.exposition(extra=[_Snapshot(self)], local=self.registry)
        return body.decode()


class _Snapshot:
    """Figures read at scrape time: the database's (cached) and the lookup cache's."""

    def __init__(self, metrics: WebMetrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        by_state = self._metrics._by_state
        requests = GaugeMetricFamily(
            "refrain_requests", "Render requests by state (from the database).", labels=["state"]
        )
        for state, count in by_state.items():
            requests.add_metric([state.value], count)
        yield requests
        yield GaugeMetricFamily(
            "refrain_queue_depth", "Requests waiting to be rendered.",
            value=by_state.get(RequestState.QUEUED, 0),
        )
        cache = self._metrics.cache
        yield CounterMetricFamily(
            "refrain_web_cache_hits", "Share/clip lookups answered from the cache.",
            value=cache.hits,
        )
        yield CounterMetricFamily(
            "refrain_web_cache_misses", "Share/clip lookups that went to the database.",
            value=cache.misses,
        )
        total = cache.hits + cache.misses
        yield GaugeMetricFamily(
            "refrain_web_cache_hit_ratio", "Share/clip lookup cache hit rate since start.",
            value=cache.hits / total if total else 0.0,
        )

    def describe(self) -> Iterable[Metric]:
        return []
