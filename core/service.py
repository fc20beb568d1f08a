"""The narrow port every adapter and web handler receives: the use cases, not the wiring.

The bots (Discord, Telegram, the console) and the web server are handed one
``Refrain`` through their constructors. It names what they may do — answer a
chat line, offer choices, re-make a clip, hand over and trace copies, follow
job events, read the clock — plus the few stores they keep their own state in
(Telegram's buttons, a chat's plain-text switch in the audit log, the web's
play log). They never see the database, the queue or the settings of other
parts, and they never import the composition root (``refrain/``), which
builds the one object that satisfies this Protocol.
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from core.chat.handler import ChatHandler
from core.deliveries import DeliveryService, SharedCopies, Tracer
from core.ports import AuditLog, ButtonStates, Clock, JobEvent, PlayLog
from core.requests import Choices, RemakeRule, RequestService
from core.studio import Studio


class EventSource(Protocol):
    """Job events as they happen (progress, delivered, failed…), for as long as subscribed."""

    def subscribe(self) -> AbstractAsyncContextManager[asyncio.Queue[JobEvent]]: ...


class Health(Protocol):
    async def check(self) -> dict[str, dict[str, Any]]:
        """Each part's record: ``{"ok": True, …}`` or ``{"ok": False, "error": …}``."""
        ...


class Refrain(Protocol):
    """What an adapter may use (``refrain.app.App`` is the one implementation)."""

    @property
    def handler(self) -> ChatHandler:
        """Every chat line, whatever the platform: ``handle(invocation) → replies``."""
        ...

    @property
    def requests(self) -> RequestService: ...

    @property
    def choices(self) -> Choices:
        """Songs, styles and voices to offer (autocomplete, keyboards)."""
        ...

    @property
    def remakes(self) -> RemakeRule:
        """The "other style" and "regenerate" commands of a delivered clip."""
        ...

    @property
    def deliveries(self) -> DeliveryService: ...

    @property
    def shares(self) -> SharedCopies:
        """A shared copy with what its page shows."""
        ...

    @property
    def tracer(self) -> Tracer: ...

    @property
    def events(self) -> EventSource: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def health(self) -> Health: ...

    @property
    def buttons(self) -> ButtonStates:
        """Where a platform keeps the commands behind its buttons."""
        ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def plays(self) -> PlayLog:
        """Where the web's play beacons are stored."""
        ...

    @property
    def studio(self) -> Studio:
        """The rights holders' studio: accounts, sessions, their songs' terms."""
        ...


__all__ = ["EventSource", "Health", "Refrain"]
