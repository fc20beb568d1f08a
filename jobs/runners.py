"""Where CPU-heavy audio runs: child processes that can be stopped, or threads.

``RenderProcesses`` (``workers ≥ 1``) is the production choice: a render past
its time limit or cancelled by its fan is killed. ``ThreadRunner``
(``workers = 0``: tests, tiny deployments) runs audio in the event loop's
threads; a render that overruns is abandoned (its result ignored), not stopped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from jobs.processes import RenderProcesses

T = TypeVar("T")

PRELOAD = ("engine.render", "engine.marking")
"""Imported once by the forkserver, so each render process starts warm."""


class AudioRunner(Protocol):
    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` away from the event loop; cancelling the await stops it if it can."""
        ...

    def close(self) -> None: ...


class ThreadRunner:
    """Audio in worker threads of this process (no process to kill)."""

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    def close(self) -> None:
        return None


def audio_runner(workers: int) -> AudioRunner:
    """``workers`` stoppable render processes, or threads when ``workers`` is 0."""
    if workers == 0:
        return ThreadRunner()
    return RenderProcesses(workers, preload=PRELOAD)
