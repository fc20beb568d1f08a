"""Warm stems: recordings without stems are separated before any fan asks.

The first fan to ask for a recording imported without stems would otherwise
wait for demucs (about 1.8× real time on a 2-core machine: minutes for a
song). Import and ``refrain catalog warm`` put such recordings on the warm
list (``storage.FileWarmList``, beside the shared blobs); every process that
renders runs a ``StemWarmer`` that claims them one at a time and separates
them at ``WARM_PRIORITY``, behind any fan's separation. A fan asking for a
recording being warmed shares that separation (moved to the front if it was
still waiting in this process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Protocol

from core.model import Recording
from core.ports import CatalogRepository
from engine.separation import StemSet
from storage import FileWarmList

log = logging.getLogger(__name__)

WarmProgress = Callable[[Recording], None]
"""Told of each recording as its warming starts (the CLI's progress bar)."""


class Warms(Protocol):
    async def warm(self, recording: Recording) -> StemSet: ...


class StemWarmer:
    """Separates the warm list's recordings, one at a time, behind fans' requests."""

    def __init__(
        self,
        catalog: CatalogRepository,
        separated: Warms,
        warm_list: FileWarmList,
        interval_s: float = 5.0,
    ) -> None:
        self._catalog = catalog
        self._separated = separated
        self._warm_list = warm_list
        self._interval_s = interval_s
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look at the list now rather than at the next interval (an import in this process)."""
        self._wake.set()

    async def run_once(self, started: WarmProgress | None = None) -> int:
        """Separate everything on the list now; how many recordings were warmed."""
        warmed = 0
        for recording_id in await asyncio.to_thread(self._warm_list.queued):
            if not await asyncio.to_thread(self._warm_list.claim, recording_id):
                continue  # another process has it
            recording = await self._catalog.get_recording(recording_id)
            if recording is None or recording.stems or not recording.audio_sha256:
                # gone, or provided stems: nothing to separate
                await asyncio.to_thread(self._warm_list.release, recording_id, requeue=False)
                continue
            if started is not None:
                started(recording)
            try:
                await self._separated.warm(recording)
            except asyncio.CancelledError:
                await asyncio.to_thread(self._warm_list.release, recording_id, requeue=True)
                raise
            except Exception:  # a fan's request tries again, and says why
                log.exception("warming the stems of %s failed", recording_id)
                await asyncio.to_thread(self._warm_list.release, recording_id, requeue=False)
                continue
            warmed += 1
        return warmed

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Every ``interval_s`` (or when woken), until ``stop``."""
        while not stop.is_set():
            try:
                warmed = await self.run_once()
            except Exception:  # the next round tries again; the list keeps what waits
                log.exception("the stem warmer's round failed")
                warmed = 0
            if warmed:
                log.info("warmed the stems of %d recording(s)", warmed)
            self._wake.clear()
            waits = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())}
            with contextlib.suppress(TimeoutError):
                await asyncio.wait(waits, timeout=self._interval_s,
                                   return_when=asyncio.FIRST_COMPLETED)
            for waiting in waits:
                waiting.cancel()
            await asyncio.gather(*waits, return_exceptions=True)
