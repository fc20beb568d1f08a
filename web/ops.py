"""Operations: ``/healthz`` (database, queue, blob store), ``/metrics``, and the small static files."""

from __future__ import annotations

import hashlib
import os
from importlib import resources

from aiohttp import web

from web.pages import message_page
from web.responses import html_response, json_response
from web.state import STATE

_STATIC_TYPES = {".js": "text/javascript", ".css": "text/css"}


async def healthz_handler(request: web.Request) -> web.StreamResponse:
    """200 when the database, the queue and the blob store all answer, else 503 with which failed."""
    state = request.app[STATE]
    checks = await state.port.health.check()
    healthy = all(check["ok"] for check in checks.values())
    return json_response({"status": "ok" if healthy else "unavailable", "checks": checks},
                         status=200 if healthy else 503)


async def metrics_handler(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    body = await state.metrics.render()
    return web.Response(
        text=body, content_type="text/plain", charset="utf-8",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


async def home_handler(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    page = message_page(
        "Refrain: licensed AI covers",
        "Ask the Refrain bot in Discord or Telegram for a cover of a song in a style you like; "
        "every clip is licensed, and the songwriters, artists and voice owners are paid from every play.",
        get_your_own=state.get_your_own,
    )
    return html_response(page, cache="public, max-age=300")


class StaticFiles:
    """web/static, read once into memory: two small files, served with a strong ETag."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[bytes, str, str]] = {}
        folder = resources.files("web") / "static"
        for entry in folder.iterdir():
            suffix = os.path.splitext(entry.name)[1]
            if entry.is_file() and suffix in _STATIC_TYPES:
                data = entry.read_bytes()
                etag = hashlib.sha256(data).hexdigest()[:20]
                self._files[entry.name] = (data, _STATIC_TYPES[suffix], etag)

    async def handler(self, request: web.Request) -> web.StreamResponse:
        found = self._files.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        data, content_type, etag = found
        headers = {"ETag": f'"{etag}"', "Cache-Control": "public, max-age=86400"}
        if any(tag.value == etag for tag in request.if_none_match or ()):
            return web.Response(status=304, headers=headers)
        return web.Response(body=data, content_type=content_type, charset="utf-8", headers=headers)
