"""Health: is each part Refrain depends on answering? (``/healthz`` asks.)

The wiring names the probes (the database, the queue, the blob store); each
answers with a small record, and one that fails or hangs past the timeout is
reported as down with the kind of error — never the error's text, which may
name a host or a path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

Probe = Callable[[], Awaitable[dict[str, Any]]]
"""Answers ``{"ok": True, …}`` or ``{"ok": False, "error": …}``; may raise for "down"."""


class HealthChecks:
    def __init__(self, probes: Mapping[str, Probe], *, timeout_s: float = 2.0) -> None:
        self._probes = dict(probes)
        self._timeout_s = timeout_s

    async def check(self) -> dict[str, dict[str, Any]]:
        """Every probe's record, run at once."""
        names = list(self._probes)
        records = await asyncio.gather(*(self._run(self._probes[name]) for name in names))
        return dict(zip(names, records, strict=True))

    async def _run(self, probe: Probe) -> dict[str, Any]:
        try:
            async with asyncio.timeout(self._timeout_s):
                return await probe()
        except Exception as exc:  # any failure is "down"; the details go to the operator's log
            return {"ok": False, "error": type(exc).__name__}
