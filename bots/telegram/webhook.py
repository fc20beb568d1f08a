"""Webhook mode: Telegram POSTs updates to a route of Refrain's web server.

``webhook_routes(app)`` is mounted by ``web/`` when
``REFRAIN_TELEGRAM__WEBHOOK_URL`` is set. The route checks the secret token
header Telegram sends back (``X-Telegram-Bot-Api-Secret-Token``, compared in
constant time), drops anything that is not an update, and leaves the update
in this app's ``WebhookInbox``; the running bot takes it from there. Until
the bot is running, or when the inbox is full, it answers 503 so Telegram
delivers the update again later — nothing is lost, and the bot ignores an
update id it has already seen.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import weakref
from typing import Any

from aiohttp import web

from config.telegram import TelegramSettings
from core.service import Refrain

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024
INBOX_SIZE = 1000


class WebhookInbox:
    """Updates received over HTTP, waiting for the bot; ``secret`` is set by the running bot."""

    def __init__(self, maxsize: int = INBOX_SIZE) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize)
        self.secret: str | None = None

    def accepts(self, header: str | None) -> bool:
        if self.secret is None or header is None:
            return False
        return hmac.compare_digest(header.encode(), self.secret.encode())


_INBOXES: dict[int, WebhookInbox] = {}


def inbox_for(app: Refrain) -> WebhookInbox:
    """The one inbox of ``app``, shared by the web route and the bot (created on first use)."""
    key = id(app)
    inbox = _INBOXES.get(key)
    if inbox is None:
        inbox = _INBOXES[key] = WebhookInbox()
        weakref.finalize(app, _INBOXES.pop, key, None)
    return inbox


def webhook_routes(app: Refrain, settings: TelegramSettings) -> list[web.RouteDef]:
    """The POST route Telegram calls (``settings.webhook_path``)."""
    inbox = inbox_for(app)

    async def receive(request: web.Request) -> web.Response:
        if inbox.secret is None:
            return web.Response(status=503, text="the Telegram bot is not running")
        if not inbox.accepts(request.headers.get(SECRET_HEADER)):
            log.warning("webhook call without the right secret token refused")
            return web.Response(status=403, text="forbidden")
        if request.content_length is not None and request.content_length > MAX_UPDATE_BYTES:
            return web.Response(status=413, text="too large")
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="not JSON")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.Response(status=400, text="not a Telegram update")
        try:
            inbox.queue.put_nowait(data)
        except asyncio.QueueFull:
            return web.Response(status=503, text="busy, retry later")
        return web.Response(status=200)

    return [web.post(settings.webhook_path, receive)]
