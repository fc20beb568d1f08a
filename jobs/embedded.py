"""The embedded queue: an asyncio scheduler inside `refrain serve` / `refrain demo`.

Waiting jobs are ordered by ``FairScheduler``; up to ``concurrency`` run at
once, each as an asyncio task that calls ``run_job(request_id, try_number)``
(which does its CPU-heavy audio in stoppable processes). A job that answers
``RetryIn`` (the database was down, another worker holds the request) is put
back after that delay. The queue holds no state that matters: the request
rows do, and the recovery sweep re-enqueues whatever the queue does not hold.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from core.model import RenderRequest
from jobs.failures import RetryIn
from jobs.fairness import FairScheduler, WaitingJob

log = logging.getLogger(__name__)

RunJob = Callable[[str, int], Awaitable[RetryIn | None]]


class EmbeddedQueue:
    """In-process implementation of ``core.ports.JobQueue``."""

    def __init__(self, run_job: RunJob, *, concurrency: int = 1, per_user_cap: int = 1) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._run_job = run_job
        self._concurrency = concurrency
        self._scheduler = FairScheduler(per_user_cap)
        self._running: dict[str, asyncio.Task[None]] = {}
        self._owner: dict[str, str] = {}
        self._deferred: dict[str, asyncio.TimerHandle] = {}
        self._tries: dict[str, int] = {}
        self._wake = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> None:
        if self._dispatcher is None:
            self._dispatcher = asyncio.create_task(self._dispatch(), name="refrain-dispatch")

    async def stop(self) -> None:
        """Stop dispatching and cancel running jobs (their rows stay RUNNING → resumed)."""
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            await asyncio.gather(self._dispatcher, return_exceptions=True)
            self._dispatcher = None
        for handle in self._deferred.values():
            handle.cancel()
        self._deferred.clear()
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def enqueue(self, request: RenderRequest, priority: int) -> None:
        await self.ensure(request, priority)

    async def ensure(self, request: RenderRequest, priority: int) -> bool:
        """Queue it unless this queue already holds it; ``True`` when it was not held."""
        if self.holds(request.id):
            return False
        if self._scheduler.add(WaitingJob(request.id, request.user_id, priority)):
            self._idle.clear()
            self._wake.set()
        return True

    def holds(self, request_id: str) -> bool:
        return (
            request_id in self._running
            or request_id in self._scheduler
            or request_id in self._deferred
        )

    async def cancel(self, request_id: str) -> None:
        handle = self._deferred.pop(request_id, None)
        if handle is not None:
            handle.cancel()
            self._tries.pop(request_id, None)
            self._check_idle()
            return
        if self._scheduler.remove(request_id):
            self._check_idle()
            return
        task = self._running.get(request_id)
        if task is not None:
            task.cancel()

    async def position(self, request_id: str) -> int | None:
        return self._scheduler.position(request_id)

    @property
    def running(self) -> frozenset[str]:
        return frozenset(self._running)

    async def join(self) -> None:
        """Wait until nothing is waiting, running or due to run again (demo and tests)."""
        await self._idle.wait()

    def _check_idle(self) -> None:
        if not self._running and not len(self._scheduler) and not self._deferred:
            self._idle.set()

    async def _dispatch(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while len(self._running) < self._concurrency:
                job = self._scheduler.pop()
                if job is None:
                    break
                task = asyncio.create_task(self._run(job), name=f"render-{job.request_id}")
                self._running[job.request_id] = task
                self._owner[job.request_id] = job.user_id

    async def _run(self, job: WaitingJob) -> None:
        retry: RetryIn | None = None
        try:
            try_number = self._tries.get(job.request_id, 0) + 1
            retry = await self._run_job(job.request_id, try_number)
        except asyncio.CancelledError:
            log.info("job %s cancelled", job.request_id)
        except Exception:  # the job runner records failures itself; keep the queue alive
            log.exception("job %s crashed", job.request_id)
        finally:
            self._running.pop(job.request_id, None)
            self._scheduler.done(self._owner.pop(job.request_id, job.user_id))
            if retry is not None:
                self._defer(job, retry)
            else:
                self._tries.pop(job.request_id, None)
            self._wake.set()
            self._check_idle()

    def _defer(self, job: WaitingJob, retry: RetryIn) -> None:
        """Run ``job`` again after ``retry.seconds`` (an outage, or another worker holds it)."""
        self._tries[job.request_id] = self._tries.get(job.request_id, 0) + 1
        log.info("request %s runs again in %.1f s (%s)", job.request_id, retry.seconds, retry.reason)

        def again() -> None:
            self._deferred.pop(job.request_id, None)
            if self._scheduler.add(job):
                self._wake.set()
            self._check_idle()

        loop = asyncio.get_running_loop()
        self._deferred[job.request_id] = loop.call_later(retry.seconds, again)
