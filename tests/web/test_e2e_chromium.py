"""End to end: Debian's headless Chromium opens a share page served by the real app, presses play,
listens to the whole (short) clip, and exactly one qualified play exists afterwards.

Chromium is driven through chromedriver's W3C WebDriver HTTP API with aiohttp
(no Selenium). The clip is 6 s long so the test stays short; the real
qualification rules apply unchanged (a clip shorter than 30 s qualifies when
≥ 90 % of it was played), and the player reports progress every second
instead of every ten. A screenshot is kept in var/test-artifacts/.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from config import RefrainSettings
from config.web import WebSettings
from core.model import UsageType
from core.royalties.qualification import PlayFacts, qualify
from core.royalties.rules import RuleSet
from jobs.memory import InMemoryQueue
from refrain.app import open_app
from tests.storage.factories import seed
from tests.web.support import MemoryPlayLog, add_delivered_clip, web_args
from web import web_component

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
CLIP_SECONDS = 6.0

MISSING_BROWSER = "needs Debian's chromium and chromium-driver (`make test` installs them)"


@pytest.fixture(autouse=True)
def _browser_present() -> None:
    """Skip loudly on a developer machine without Chromium; fail in CI, where it must run."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        if os.environ.get("CI"):
            pytest.fail(MISSING_BROWSER)
        pytest.skip(MISSING_BROWSER)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebDriver:
    """The few W3C WebDriver commands this test needs."""

    def __init__(self, http: aiohttp.ClientSession, base: str, session_id: str) -> None:
        self.http, self.base, self.id = http, base, session_id

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.base}/session/{self.id}{path}"
        async with self.http.request(method, url, json=body) as response:
            data = await response.json()
        if response.status != 200:
            raise AssertionError(f"webdriver {method} {path}: {data}")
        return data["value"]

    async def script(self, source: str) -> Any:
        return await self.call("POST", "/execute/sync", {"script": source, "args": []})


@contextlib.asynccontextmanager
async def chromium(tmp_path: Path) -> AsyncIterator[WebDriver]:
    port = _free_port()
    assert CHROMEDRIVER is not None
    driver = subprocess.Popen(
        [CHROMEDRIVER, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{base}/status") as response:
                        if response.status == 200:
                            break
                await asyncio.sleep(0.1)
            options = {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                    "--window-size=900,1000", f"--user-data-dir={tmp_path / 'chromium-profile'}",
                ],
            }
            capabilities = {"capabilities": {"alwaysMatch": {
                "browserName": "chrome", "goog:chromeOptions": options}}}
            async with http.post(f"{base}/session", json=capabilities) as response:
                created = await response.json()
            assert response.status == 200, created
            session = WebDriver(http, base, created["value"]["sessionId"])
            try:
                yield session
            finally:
                with contextlib.suppress(aiohttp.ClientError, AssertionError):
                    await session.call("DELETE", "")
    finally:
        driver.terminate()
        driver.wait(timeout=10)


async def _until(check: Any, timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
async def test_a_browser_listening_to_a_shared_clip_makes_one_qualified_play(tmp_path: Path) -> None:
    port = _free_port()
    url = f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}"
    from storage.migrate import upgrade

    await upgrade(url)
    settings = RefrainSettings(
        database_url=url, blobs_dir=tmp_path / "blobs",
        web=WebSettings(port=port, public_url=f"http://127.0.0.1:{port}",
                        link_secret=SecretStr("e2e-secret"), beacon_progress_s=1, json_logs=False),
    )
    plays = MemoryPlayLog()
    async with open_app(settings, queue=InMemoryQueue()) as app:
        await seed(app.stores)
        clip, delivery = await add_delivered_clip(app, app.clock, tmp_path, seconds=CLIP_SECONDS)
        async with web_component(*web_args(app), plays=plays), chromium(tmp_path) as browser:
            await browser.call("POST", "/url", {"url": f"{settings.web.public_url}/s/{delivery.share_id}"})
            assert "Golden Hour" in await browser.call("GET", "/title")
            audio = await browser.call("POST", "/element", {"using": "css selector", "value": "#audio"})
            element = next(iter(audio.values()))
            rect = await browser.call("GET", f"/element/{element}/rect")
            # press the native player's play button: the left end of the controls bar
            await browser.call("POST", "/actions", {"actions": [{
                "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
                "actions": [
                    {"type": "pointerMove", "origin": audio,
                     "x": int(-rect["width"] / 2 + 20), "y": 0},
                    {"type": "pointerDown", "button": 0}, {"type": "pointerUp", "button": 0},
                ]}]})
            await _until(lambda: browser.script("return !document.getElementById('audio').paused"),
                         5, "the player to start")
            await asyncio.sleep(2)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            png = base64.b64decode(await browser.call("GET", "/screenshot"))
            (ARTIFACTS / "share_page.png").write_bytes(png)
            (tmp_path / "share_page.png").write_bytes(png)
            assert png.startswith(b"\x89PNG")
            await _until(lambda: browser.script("return document.getElementById('audio').ended"),
                         CLIP_SECONDS + 15, "the clip to end")
            await _until(lambda: asyncio.sleep(0, result=len(plays.events) > 0), 10, "the end beacon")
            await asyncio.sleep(1.5)  # anything else the page might (wrongly) still send
    events = list(plays.events.values())
    assert len(events) == 1
    [event] = events
    assert event.usage is UsageType.STREAM and event.delivery_id == delivery.id
    assert event.ms_played >= 0.9 * CLIP_SECONDS * 1000
    facts = [PlayFacts(e.event_id, e.clip_id, e.usage, e.listener_key, e.ms_played, e.played_at,
                       round(clip.duration_s * 1000)) for e in events]
    decided = qualify(facts, rules=RuleSet())
    assert [d.qualified for d in decided] == [True]
