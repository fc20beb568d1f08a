"""Render processes that can be stopped: one call at a time each, killed when it overruns.

``concurrent.futures.ProcessPoolExecutor`` cannot stop a call once it runs,
so a render past its time limit (or cancelled by its fan) would keep a CPU
busy, and a worker killed with ``kill -9`` would leave its renders running.
Here each slot is a long-lived child process (warm imports and caches) that
runs one call at a time; cancelling the awaiting coroutine kills that child
and the slot starts a fresh one on its next call. Children ask the kernel to
kill them when their parent dies (``PR_SET_PDEATHSIG``), and their parent is
the forkserver, which exits when the worker does: nothing outlives a worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from core.errors import RefrainError

log = logging.getLogger(__name__)

T = TypeVar("T")

_PR_SET_PDEATHSIG = 1


class ProcessDied(RefrainError):
    """The child process running a call died without answering (killed, out of memory)."""


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent exits (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the parent died before we asked
        os._exit(1)


def _serve(connection: Connection) -> None:
    """The child's loop: call what arrives, send back the result or the exception."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides when we stop
    while True:
        try:
            fn, args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[bool, Any] = (True, fn(*args))
        except BaseException as exc:  # handed back to the caller, who decides
            answer = (False, exc)
        try:
            connection.send(answer)
        except Exception as exc:  # an unpicklable result or exception
            connection.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


class _Slot:
    """One child process and the pipe to it; replaced after it is killed or dies."""

    def __init__(self, context: BaseContext) -> None:
        self._context = context
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None

    def _ensure(self) -> Connection:
        if self._process is None or not self._process.is_alive() or self._connection is None:
            self.close()
            parent, child = self._context.Pipe()
            process = self._context.Process(target=_serve, args=(child,), daemon=True)  # type: ignore[attr-defined]
            process.start()
            child.close()
            self._process, self._connection = process, parent
        return self._connection

    async def call(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        connection = self._ensure()
        try:
            await asyncio.to_thread(connection.send, (fn, args))
            ok, value = await asyncio.to_thread(_receive, connection)
        except BaseException:
            self.close()  # cancelled or broken mid-call: the child may still be working
            raise
        if ok:
            return value  # type: ignore[no-any-return]
        raise value

    def close(self) -> None:
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if process is not None and process.is_alive():
            process.kill()
        if process is not None:
            process.join(timeout=5)
        if connection is not None:
            connection.close()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid


def _receive(connection: Connection) -> tuple[bool, Any]:
    try:
        answer: tuple[bool, Any] = connection.recv()
    except (EOFError, OSError) as exc:
        raise ProcessDied("the render process stopped without answering") from exc
    return answer


class RenderProcesses:
    """``size`` child processes for CPU-heavy audio; a cancelled call kills its child."""

    def __init__(self, size: int, *, preload: tuple[str, ...] = ()) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        context = multiprocessing.get_context("forkserver")
        if preload:
            context.set_forkserver_preload(list(preload))
        self._slots: asyncio.Queue[_Slot] | None = None
        self._all = [_Slot(context) for _ in range(size)]

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a child process; cancelling the await kills the child."""
        if self._slots is None:
            self._slots = asyncio.Queue()
            for slot in self._all:
                self._slots.put_nowait(slot)
        slot = await self._slots.get()
        try:
            return await slot.call(fn, args)
        finally:
            self._slots.put_nowait(slot)

    @property
    def pids(self) -> list[int]:
        return [pid for slot in self._all if (pid := slot.pid) is not None]

    def close(self) -> None:
        for slot in self._all:
            slot.close()
