"""The recovery sweep: what the database says is waiting, the queue holds.

The request rows are the truth; the queue is a cache of them that can be
lost (Redis restarted empty, a submit made while the queue was down, a
worker killed with its job). Every ``interval_s`` one instance — whichever
holds the ``recovery-sweep`` lease — gives the queue every request that has
waited QUEUED longer than ``queued_grace_s`` and every RUNNING request whose
worker's lease ran out. The queue ignores what it already holds, and the
render job decides the rest when it claims the request (run it again, or
fail it with a refund once its tries are used up). So nothing waits for a
restart, and the fan's "it will start as soon as the queue is back" holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from core.ids import new_id
from core.model import RenderRequest
from core.ports import Clock, JobQueue, Stores

log = logging.getLogger(__name__)

SWEEP_LEASE = "recovery-sweep"


@dataclass(frozen=True)
class SweepSettings:
    interval_s: float = 15.0
    queued_grace_s: float = 15.0  # a submit enqueues at once; older QUEUED rows may be lost
    batch: int = 500

    @classmethod
    def every(cls, interval_s: float) -> SweepSettings:
        """Sweep every ``interval_s``, looking at rows QUEUED at least that long.

        The grace only saves work: handing the queue a request it already holds
        (or is about to get from its submit) is a no-op there.
        """
        return cls(interval_s=interval_s, queued_grace_s=interval_s)


@dataclass
class SweepReport:
    swept: bool = False  # False: another instance holds the lease, or the sweep failed
    requeued: list[str] = field(default_factory=list)  # request ids the queue had lost
    expired: list[str] = field(default_factory=list)  # RUNNING past their lease
    queue_down: bool = False


class RecoverySweep:
    def __init__(
        self,
        stores: Stores,
        queue: JobQueue,
        clock: Clock,
        settings: SweepSettings | None = None,
        *,
        holder: str | None = None,
        observe: Callable[[SweepReport], None] | None = None,
    ) -> None:
        self._stores = stores
        self._queue = queue
        self._clock = clock
        self._settings = settings or SweepSettings()
        self.holder = holder or f"sweeper-{new_id()}"
        self.last: SweepReport | None = None
        self._observe = observe

    async def run_once(self, *, everything_queued: bool = False) -> SweepReport:
        """One sweep, if this instance holds the lease; ``everything_queued`` at start-up."""
        report = SweepReport()
        now = self._clock.now()
        lease_s = self._settings.interval_s * 2
        if not await self._stores.maintenance.acquire(SWEEP_LEASE, self.holder, now, lease_s):
            return report
        grace = 0.0 if everything_queued else self._settings.queued_grace_s
        stale = await self._stores.runs.stale(
            now, now - timedelta(seconds=grace), self._settings.batch
        )
        report.swept = True
        report.expired = [r.id for r in stale.expired]
        for request in [*stale.queued, *stale.expired]:
            try:
                if await self._queue.ensure(request, _priority(request)):
                    report.requeued.append(request.id)
            except Exception as exc:  # the queue is down: the next sweep tries again
                report.queue_down = True
                log.warning("recovery sweep: the queue is unreachable (%s); will retry", exc)
                break
        if report.requeued:
            log.info("recovery sweep: gave the queue %d request(s) it did not hold (%d past "
                     "their lease)", len(report.requeued), len(report.expired))
        self.last = report
        if self._observe is not None:
            self._observe(report)
        return report

    async def run_forever(
        self, stop: asyncio.Event | None = None, *, first: bool = True
    ) -> None:
        """Sweep at start-up (everything queued, unless ``first`` is False), then every
        ``interval_s``, until ``stop`` is set; never raises."""
        if not first:
            await _sleep_or_stop(self._settings.interval_s, stop)
        while stop is None or not stop.is_set():
            try:
                await self.run_once(everything_queued=first)
                first = False
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is down: sweep again next time
                log.warning("recovery sweep failed (%s); next in %.0f s", exc,
                            self._settings.interval_s)
            await _sleep_or_stop(self._settings.interval_s, stop)


def _priority(request: RenderRequest) -> int:
    """Recovered requests keep their place by age (the queue orders equal priorities so)."""
    return 0


async def _sleep_or_stop(seconds: float, stop: asyncio.Event | None) -> None:
    if stop is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
