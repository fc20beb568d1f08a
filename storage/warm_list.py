"""Recordings waiting for stems, as marker files beside the shared blobs.

A recording imported without stems is separated ahead of any fan's request
("warm stems"). Whoever adds it (``refrain catalog import``, ``refrain catalog
warm``) may be another process than the one that separates (``refrain serve``,
``refrain worker``), so the list lives in the shared blob directory like the
stem index, and needs no table: one file per recording and state.

- ``<id>.queued``: waiting; its modification time orders the list.
- ``<id>.separating``: claimed by one process (created exclusively, so two
  workers never separate the same recording at once); holds who claimed it.
- ``<id>.ready``: separated; holds the stem cache key it was stored under.
"""

from __future__ import annotations

import enum
import os
import re
import socket
from pathlib import Path

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")


class WarmState(enum.Enum):
    """Where a recording stands in the warm list (``None`` when absent)."""

    QUEUED = "queued"
    SEPARATING = "separating"
    READY = "ready"


class FileWarmList:
    """The warm list under ``root`` (``<blobs_dir>/stem-warm``)."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, recording_id: str, state: WarmState) -> Path:
        if not _SAFE_ID.match(recording_id):
            raise ValueError(f"not a recording id: {recording_id!r}")
        return self._root / f"{recording_id.replace(':', '_')}.{state.value}"

    def add(self, recording_id: str) -> bool:
        """Queue a recording; ``False`` when it is already queued or being separated."""
        if self.state(recording_id) in (WarmState.QUEUED, WarmState.SEPARATING):
            return False
        self._root.mkdir(parents=True, exist_ok=True)
        self._path(recording_id, WarmState.READY).unlink(missing_ok=True)
        self._path(recording_id, WarmState.QUEUED).write_text(recording_id)
        return True

    def queued(self) -> list[str]:
        """Recording ids waiting, oldest first."""
        if not self._root.is_dir():
            return []
        waiting = []
        for path in self._root.glob(f"*.{WarmState.QUEUED.value}"):
            try:
                waiting.append((path.stat().st_mtime_ns, path.read_text().strip()))
            except FileNotFoundError:  # claimed or dropped meanwhile
                continue
        return [recording_id for _, recording_id in sorted(waiting)]

    def claim(self, recording_id: str) -> bool:
        """Take a queued recording for this process; ``False`` if another one has it."""
        self._root.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self._path(recording_id, WarmState.SEPARATING),
                         os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as claim:
            claim.write(f"{socket.gethostname()}:{os.getpid()}")
        self._path(recording_id, WarmState.QUEUED).unlink(missing_ok=True)
        return True

    def release(self, recording_id: str, *, requeue: bool) -> None:
        """Give a claim back: queued again (``requeue``) or dropped."""
        if requeue:
            self._path(recording_id, WarmState.QUEUED).write_text(recording_id)
        self._path(recording_id, WarmState.SEPARATING).unlink(missing_ok=True)

    def mark_ready(self, recording_id: str, stem_key: str) -> None:
        """Separated, under ``stem_key``: no longer queued or claimed."""
        self._root.mkdir(parents=True, exist_ok=True)
        ready = self._path(recording_id, WarmState.READY)
        temp = ready.with_name(f".{ready.name}.{os.getpid()}")
        temp.write_text(stem_key)
        os.replace(temp, ready)
        self._path(recording_id, WarmState.QUEUED).unlink(missing_ok=True)
        self._path(recording_id, WarmState.SEPARATING).unlink(missing_ok=True)

    def ready_key(self, recording_id: str) -> str | None:
        """The stem cache key a recording was separated under, if it was."""
        try:
            return self._path(recording_id, WarmState.READY).read_text().strip() or None
        except FileNotFoundError:
            return None

    def state(self, recording_id: str) -> WarmState | None:
        """Separating beats queued beats ready: the newest fact about the recording."""
        for state in (WarmState.SEPARATING, WarmState.QUEUED, WarmState.READY):
            if self._path(recording_id, state).exists():
                return state
        return None
