"""Breaking things for real, and only our own things: fault-test equipment.

* ``PrivateRedis`` — a ``redis-server`` of the test's own on a free port
  (no persistence): stop it, start it again (empty), like a lost Redis.
* ``TcpProxy`` — an asyncio TCP proxy in front of a server (PostgreSQL or
  Redis): ``cut()`` refuses new connections and drops open ones (the server
  is unreachable, its data kept), ``restore()`` lets them through again,
  ``drop_connections()`` kills the open ones only (a connection blip).
* ``WorkerProcess`` — a real ``refrain worker`` in its own process group,
  configured by environment; ``kill9()`` kills only the worker (its children
  must die on their own), ``stop()`` ends the whole group.
* ``read_only(path)`` — makes a folder tree refuse new files even for root
  (``chattr +i``), and gives it back.

Nothing here touches the machine's shared PostgreSQL or Redis beyond the
test's own schema and database number.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout_s} s")


class PrivateRedis:
    """A redis-server of the test's own; data lives only in its memory."""

    def __init__(self, folder: Path) -> None:
        if shutil.which("redis-server") is None:
            message = "redis-server is not installed (apt-get install redis-server)"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        self.port = free_port()
        self._folder = folder
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self._folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None


class TcpProxy:
    """Forwards 127.0.0.1:<port> to ``target_port``; can refuse and drop connections."""

    def __init__(self, target_port: int, port: int | None = None) -> None:
        self.target_port = target_port
        self.port = port or free_port()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port,
                                                  reuse_address=True)

    async def cut(self) -> None:
        """Unreachable: new connections are refused, open ones dropped."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        await self.drop_connections()

    async def restore(self) -> None:
        if self._server is None:
            await self.start()

    async def drop_connections(self) -> int:
        """Reset every open connection (the clients see them die mid-use)."""
        dropped = len(self._writers)
        for writer in list(self._writers):
            transport = writer.transport
            transport.abort()
        self._writers.clear()
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)
        return dropped

    async def close(self) -> None:
        await self.cut()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self.target_port
            )
        except OSError:
            writer.transport.abort()
            return
        self._writers.update({writer, upstream_writer})
        pipes = [
            asyncio.create_task(_pipe(reader, upstream_writer)),
            asyncio.create_task(_pipe(upstream_reader, writer)),
        ]
        self._pipes.update(pipes)
        try:
            await asyncio.gather(*pipes, return_exceptions=True)
        finally:
            self._pipes.difference_update(pipes)
            for side in (writer, upstream_writer):
                self._writers.discard(side)
                side.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.transport.abort()


class WorkerProcess:
    """A real `refrain worker`, its output in ``log``, in a process group of its own."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "refrain", "worker"],
            env={**os.environ, **env},
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill9(self) -> None:
        """SIGKILL the worker alone: what it started must die without its help."""
        self.process.kill()
        self.process.wait(timeout=10)

    def group_alive(self) -> bool:
        """Whether any process of the worker's group (render processes…) still runs.

        Read from /proc, ignoring zombies: a dead child whose parent died waits
        for init to reap it, and init in a container may never do so.
        """
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            state, group = fields[0], int(fields[2])
            if group == self.process.pid and state not in ("Z", "X"):
                return True
        return False

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self._out.close()

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


@contextlib.contextmanager
def read_only(root: Path) -> Iterator[None]:
    """Every folder under ``root`` refuses new files, root user included (``chattr +i``)."""
    folders = [root, *(p for p in root.rglob("*") if p.is_dir())]
    if os.geteuid() != 0:
        for folder in folders:
            folder.chmod(0o555)
        try:
            yield
        finally:
            for folder in folders:
                folder.chmod(0o755)
        return
    if shutil.which("chattr") is None or subprocess.run(
        ["chattr", "+i", str(root)], capture_output=True, check=False
    ).returncode != 0:
        pytest.skip("cannot make a folder read-only for root here (chattr +i refused)")
    try:
        if folders[1:]:
            subprocess.run(["chattr", "+i", *map(str, folders[1:])], check=True,
                           capture_output=True)
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, folders)], check=False, capture_output=True)


async def broken_handover(request: object) -> object:
    """Stands in for ``DeliveryService.handover`` when the store fails mid-hand-over."""
    raise OSError(30, "Read-only file system", "/srv/refrain/var/blobs/ab/cd/abcd")

