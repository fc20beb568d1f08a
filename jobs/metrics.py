"""Prometheus metrics of every process that serves or renders, through prometheus_client.

Each process (``serve``, every ``worker``) counts what it does: jobs and
their durations, retries after outages, failures and refunds, requests the
recovery sweep gave back to the queue, whether Redis answers. With
``metrics_dir`` set, prometheus_client's multiprocess mode writes each
process's figures to files in that folder and ``serve``'s ``/metrics`` adds
them all up, so one scrape sees the whole host. Without it, each process
reports only its own (fine for one machine).

Metrics are made on first use, after ``setup`` chose the mode: prometheus_client
decides single- or multiprocess storage when a metric's values are created.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    values,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created samples needed

JOB_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0)


@dataclass(frozen=True)
class _Metrics:
    jobs: Counter
    job_seconds: Histogram
    retries: Counter
    failures: Counter
    refunds: Counter
    recoveries: Counter
    redis_up: Gauge


_made: _Metrics | None = None


def setup(metrics_dir: Path | None) -> None:
    """Choose where this process's figures go; call before the first metric is touched."""
    if metrics_dir is None:
        return
    metrics_dir.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]


def multiprocess() -> bool:
    return "PROMETHEUS_MULTIPROC_DIR" in os.environ


def _get() -> _Metrics:
    global _made
    if _made is None:
        _made = _Metrics(
            jobs=Counter("refrain_jobs", "Render jobs run, by how they ended.", ["outcome"]),
            job_seconds=Histogram(
                "refrain_job_seconds", "Wall time of one run of a render job.",
                buckets=JOB_BUCKETS,
            ),
            retries=Counter(
                "refrain_job_retries", "Jobs put back to run again later, by reason.", ["reason"]
            ),
            failures=Counter(
                "refrain_job_failures", "Requests that ended FAILED, by reason.", ["reason"]
            ),
            refunds=Counter("refrain_refunds", "Requests whose seconds were refunded."),
            recoveries=Counter(
                "refrain_recoveries",
                "Requests the recovery sweep gave back to a queue that had lost them.",
            ),
            redis_up=Gauge(
                "refrain_redis_up", "Whether this process reaches Redis (1) or not (0).",
                multiprocess_mode="livemostrecent",
            ),
        )
    return _made


def job_ran(outcome: str, seconds: float) -> None:
    made = _get()
    made.jobs.labels(outcome).inc()
    made.job_seconds.observe(seconds)


def retried(reason: str) -> None:
    _get().retries.labels(reason).inc()


def failed(reason: str) -> None:
    made = _get()
    made.failures.labels(reason).inc()
    made.refunds.inc()


def recovered(count: int) -> None:
    if count:
        _get().recoveries.inc(count)


def redis_up(up: bool) -> None:
    _get().redis_up.set(1 if up else 0)


def exposition(
    extra: Iterable[Collector] = (), local: CollectorRegistry | None = None
) -> bytes:
    """The Prometheus text of this process (or, in multiprocess mode, of every process
    writing to the folder), plus ``extra`` collectors read now (figures from the database).

    ``local``: a registry of the caller's own metrics (the web server's); in multiprocess
    mode its figures are already in the folder and are not repeated.
    """
    _get()  # the job metrics show even before the first job
    if multiprocess():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
        if local is not None:
            body += generate_latest(local)
    extras = CollectorRegistry()
    for collector in extra:
        extras.register(collector)
    return body + generate_latest(extras)
