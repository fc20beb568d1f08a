"""Keeping a claim alive while its work runs, and stopping the work when the claim is lost.

A worker renews its lease every third of the lease length. If the database
says the claim is gone (the fan cancelled, or the worker stalled so long that
another took over), the work is cancelled at once — its render process is
killed — so two workers never finish the same request. If the database is
merely unreachable, the work goes on: the final write checks the claim.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

from core.errors import RefrainError
from core.ports import Claim, Clock, RunRepository

log = logging.getLogger(__name__)

T = TypeVar("T")


class LostClaim(RefrainError):
    """The request is no longer ours: cancelled, or taken over after our lease ran out."""


class LeaseKeeper:
    def __init__(self, runs: RunRepository, clock: Clock, claim: Claim, lease_s: float) -> None:
        self._runs = runs
        self._clock = clock
        self.claim = claim
        self._lease_s = lease_s
        self._lost = False

    async def guard(self, work: Awaitable[T]) -> T:
        """Run ``work`` while renewing the lease; ``LostClaim`` if the claim goes away."""
        task = asyncio.ensure_future(work)
        keeper = asyncio.create_task(self._keep(task), name="lease-keeper")
        try:
            return await task
        except asyncio.CancelledError:
            if self._lost and not _cancelling():
                raise LostClaim(self.claim.request.id) from None
            raise
        finally:
            # Ended by the work's end, not by cancel(): a cancellation delivered inside a
            # database driver's call can be swallowed there, and the keeper would live on.
            await asyncio.gather(keeper, return_exceptions=True)

    async def _keep(self, task: asyncio.Future[T]) -> None:
        interval = max(0.2, self._lease_s / 3)
        while not task.done():
            await asyncio.wait({task}, timeout=interval)
            if task.done():
                return
            try:
                renewed = await self._runs.renew(self.claim, self._clock.now(), self._lease_s)
            except Exception as exc:  # unreachable for now: keep working, the last write decides
                log.warning("could not renew the lease of %s: %s", self.claim.request.id, exc)
                continue
            if renewed is None:
                log.info("request %s is no longer ours; stopping its work", self.claim.request.id)
                self._lost = True
                task.cancel()
                return
            self.claim = renewed


def _cancelling() -> bool:
    """Whether the current task itself is being cancelled (not just the work it awaited)."""
    current = asyncio.current_task()
    return current is not None and current.cancelling() > 0
