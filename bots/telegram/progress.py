"""Keeps each "queued" message up to date from the job events, within Telegram's flood limits.

The message the user got when their request was queued is edited as the
job moves: place in line, stage and percentage, then done, failed or
cancelled. At most one edit per message every ``edit_interval_s`` (newer
progress replaces older, unsent progress), and progress edits are skipped
while a group is at its per-minute budget; the final state always gets
through. ``DELIVERED`` hands the clip to the ``Courier`` — also for a
request this process did not see queued (after a restart), as long as it
was asked for on Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardMarkup

from bots.telegram.chats import chat_of_scope
from bots.telegram.delivery import Courier
from bots.telegram.parts import Parts
from core.model import Origin
from core.ports import JobEvent, JobEventKind

log = logging.getLogger(__name__)

_MAX_TRACKED = 10_000


@dataclass
class Tracked:
    request_id: str
    chat_id: int
    message_id: int  # the bot's "queued" message
    reply_to: int | None  # the user's command message
    origin: Origin
    header_html: str
    markup: InlineKeyboardMarkup | None
    last_edit: float = 0.0
    shown: str = ""
    pending: str | None = None
    flusher: asyncio.Task[None] | None = field(default=None, repr=False)


def _bar(percent: int) -> str:
    filled = max(0, min(10, percent // 10))
    return "▰" * filled + "▱" * (10 - filled)


def status_line(event: JobEvent) -> str:
    match event.kind:
        case JobEventKind.QUEUED:
            return f"⏳ #{event.position} in line" if event.position else "⏳ waiting for a renderer"
        case JobEventKind.PROGRESS:
            stage = html.escape(event.stage or "working")
            return f"🎛 {stage} {_bar(event.percent)} {event.percent}%"
        case JobEventKind.DELIVERED:
            return "✅ Ready — here it comes."
        case JobEventKind.FAILED:
            return f"❌ {html.escape(event.message or 'It failed; your seconds were refunded.')}"
        case JobEventKind.CANCELLED:
            return "🚫 Cancelled."
    return ""


class ProgressTracker:
    def __init__(
        self, parts: Parts, courier: Courier, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._parts = parts
        self._courier = courier
        self._clock = clock
        self._tracked: dict[str, Tracked] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def track(
        self,
        request_id: str,
        chat_id: int,
        message_id: int,
        *,
        reply_to: int | None,
        origin: Origin,
        header_html: str,
        markup: InlineKeyboardMarkup | None,
    ) -> None:
        if len(self._tracked) >= _MAX_TRACKED:
            oldest = next(iter(self._tracked))
            del self._tracked[oldest]
        self._tracked[request_id] = Tracked(
            request_id, chat_id, message_id, reply_to, origin, header_html, markup,
            last_edit=self._clock(),
        )

    async def run(self) -> None:
        """Consume every job event until cancelled."""
        async with self._parts.app.events.subscribe() as events:
            while True:
                event = await events.get()
                try:
                    await self.on_event(event)
                except Exception:
                    log.exception("job event %s of %s not handled", event.kind.value, event.request_id)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for tracked in self._tracked.values():
            if tracked.flusher is not None:
                tracked.flusher.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def on_event(self, event: JobEvent) -> None:
        tracked = self._tracked.get(event.request_id)
        line = status_line(event)
        if event.kind in (JobEventKind.QUEUED, JobEventKind.PROGRESS):
            if tracked is not None:
                self._edit_soon(tracked, line)
            return
        if tracked is not None:
            del self._tracked[event.request_id]
            self._spawn(self._final(tracked, line, event))
        elif event.kind is JobEventKind.DELIVERED and event.clip_id:
            self._spawn(self._deliver(event.request_id, event.clip_id, Origin.COMMAND, None))
        elif event.kind is JobEventKind.FAILED:
            self._spawn(self._tell_untracked(event.request_id, line))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- edits ----------------------------------------------------------------------------
    def _edit_soon(self, tracked: Tracked, line: str) -> None:
        tracked.pending = line
        if tracked.flusher is None or tracked.flusher.done():
            tracked.flusher = asyncio.create_task(self._flush(tracked))

    async def _flush(self, tracked: Tracked) -> None:
        interval = self._parts.settings.edit_interval_s
        outbox = self._parts.outbox
        while tracked.pending is not None and tracked.pending != tracked.shown:
            wait = tracked.last_edit + interval - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            if not outbox.has_room(tracked.chat_id):  # progress is optional: wait for room
                await asyncio.sleep(interval)
                continue
            line, tracked.pending = tracked.pending, None
            await self._edit(tracked, line, tracked.markup)

    async def _edit(self, tracked: Tracked, line: str, markup: InlineKeyboardMarkup | None) -> None:
        bot = self._parts.bot
        text = f"{tracked.header_html}\n{line}"
        tracked.last_edit = self._clock()
        tracked.shown = line
        await self._parts.outbox.call(
            tracked.chat_id,
            "editMessageText",
            lambda: bot.edit_message_text(
                text, chat_id=tracked.chat_id, message_id=tracked.message_id, parse_mode="HTML",
                reply_markup=markup,
            ),
        )

    async def _final(self, tracked: Tracked, line: str, event: JobEvent) -> None:
        if tracked.flusher is not None:
            tracked.flusher.cancel()
        wait = tracked.last_edit + self._parts.settings.edit_interval_s - self._clock()
        if wait > 0:
            await asyncio.sleep(wait)
        await self._edit(tracked, line, None)
        if event.kind is JobEventKind.DELIVERED and event.clip_id:
            await self._deliver(event.request_id, event.clip_id, tracked.origin, tracked.reply_to)

    async def _deliver(
        self, request_id: str, clip_id: str, origin: Origin, reply_to: int | None
    ) -> None:
        try:
            await self._courier.deliver_request(request_id, clip_id, origin=origin, reply_to=reply_to)
        except Exception:
            log.exception("delivery of request %s to Telegram failed", request_id)

    async def _tell_untracked(self, request_id: str, line: str) -> None:
        request = await self._parts.app.requests.request(request_id)
        chat_id = chat_of_scope(request.scope_id) if request else None
        if chat_id is None:
            return
        bot = self._parts.bot
        await self._parts.outbox.call(
            chat_id, "sendMessage", lambda: bot.send_message(chat_id, line, parse_mode="HTML")
        )
