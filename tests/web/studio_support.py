"""A studio world: the seeded catalog, one delivered clip, the web app with the studio mounted,
and browsers (aiohttp test clients, each with its own cookie jar) that sign up, log in and post forms."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse, ClientSession, CookieJar
from aiohttp.test_utils import TestServer

from config import RefrainSettings
from config.studio import StudioSettings
from config.web import WebSettings
from core.clock import ManualClock
from jobs.memory import InMemoryQueue
from refrain.app import App, open_app
from tests.storage.factories import T0, seed
from tests.web.support import LINK_SECRET, MemoryPlayLog, add_delivered_clip, web_args
from web import create_web_app

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def studio_settings(**overrides: Any) -> StudioSettings:
    # the cheapest argon2id the settings allow: the tests check the flows, not the cost
    values: dict[str, Any] = {"open_signup": True, "argon2_time_cost": 1, "argon2_memory_kib": 8192}
    values.update(overrides)
    return StudioSettings(**values)


@dataclass
class StudioWorld:
    app: App
    clock: ManualClock
    server: TestServer
    share_id: str
    clip_id: str

    @asynccontextmanager
    async def browser(self) -> AsyncIterator[Browser]:
        base = str(self.server.make_url("")).rstrip("/")
        async with ClientSession(base, cookie_jar=CookieJar(unsafe=True)) as session:
            yield Browser(session)


class Browser:
    """One browser: its cookies, and the CSRF token of the last page it loaded."""

    def __init__(self, session: ClientSession) -> None:
        self.client = session
        self.csrf = ""
        self.last_text = ""

    def cookie(self, name: str) -> str | None:
        for morsel in self.client.cookie_jar:
            if morsel.key == name:
                return morsel.value
        return None

    async def get(self, path: str) -> ClientResponse:
        response = await self.client.get(path, allow_redirects=True)
        await self._read(response)
        return response

    async def _read(self, response: ClientResponse) -> None:
        raw = await response.text()
        self.last_text = html.unescape(raw)  # what a person reads
        found = _CSRF.search(raw)
        if found:
            self.csrf = found.group(1)

    async def post(self, path: str, data: dict[str, Any] | list[tuple[str, str]], *,
                   csrf: bool = True) -> ClientResponse:
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        if csrf:
            fields.append(("csrf", self.csrf))
        response = await self.client.post(path, data=fields, allow_redirects=True)
        await self._read(response)
        return response

    async def sign_up(self, email: str, name: str, password: str = PASSWORD) -> ClientResponse:
        await self.get("/studio/signup")
        return await self.post("/studio/signup",
                               {"email": email, "artist_name": name, "password": password})

    async def log_in(self, email: str, password: str = PASSWORD) -> ClientResponse:
        await self.get("/studio/login")
        return await self.post("/studio/login", {"email": email, "password": password})

    async def join(self, link: str, email: str, password: str = PASSWORD) -> ClientResponse:
        path = link[link.index("/studio/"):]
        await self.get(path)
        return await self.post(path, {"email": email, "password": password})


@asynccontextmanager
async def studio_world(
    db_url: str, tmp_path: Path, *, now: datetime = T0, public_url: str = "", **studio: Any
) -> AsyncIterator[StudioWorld]:
    settings = RefrainSettings(
        database_url=db_url, blobs_dir=tmp_path / "blobs",
        web=WebSettings(link_secret=LINK_SECRET, page_cache_ttl_s=0, public_url=public_url),
        studio=studio_settings(**studio),
    )
    clock = ManualClock(now)
    async with open_app(settings, queue=InMemoryQueue(), clock=clock) as setup:
        await seed(setup.stores)
    # opened again on the seeded catalog, so the search index knows its songs
    async with open_app(settings, queue=InMemoryQueue(), clock=clock) as app:
        clip, delivery = await add_delivered_clip(app, clock, tmp_path)
        application = create_web_app(*web_args(app), plays=MemoryPlayLog(), studio=settings.studio)
        server = TestServer(application)
        await server.start_server()
        try:
            yield StudioWorld(app, clock, server, delivery.share_id, clip.id)
        finally:
            await server.close()
