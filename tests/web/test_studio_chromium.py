"""End to end in Debian's headless Chromium: an independent signs up with the form, a label's
person joins by invitation, sets a song's terms and reads the dashboard — no JavaScript on any
page. Screenshots of each step are kept in var/test-artifacts/ (the README shows two)."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from config import RefrainSettings
from config.web import WebSettings
from core.ids import uuid7
from core.model import Origin, PlayEvent, UsageType
from jobs.memory import InMemoryQueue
from refrain.app import open_app
from tests.storage.factories import seed
from tests.web.studio_support import PASSWORD, studio_settings
from tests.web.support import MemoryPlayLog, add_delivered_clip, web_args
from tests.web.test_e2e_chromium import ARTIFACTS, WebDriver, _free_port, _until, chromium
from tests.web.test_e2e_chromium import _browser_present as _browser_present
from web import web_component

pytestmark = pytest.mark.asyncio


async def _element(browser: WebDriver, css: str) -> str:
    found = await browser.call("POST", "/element", {"using": "css selector", "value": css})
    return str(next(iter(found.values())))


async def _type(browser: WebDriver, css: str, text: str) -> None:
    element = await _element(browser, css)
    await browser.call("POST", f"/element/{element}/clear", {})
    await browser.call("POST", f"/element/{element}/value", {"text": text})


async def _click(browser: WebDriver, css: str) -> None:
    await browser.call("POST", f"/element/{await _element(browser, css)}/click", {})


async def _submit(browser: WebDriver, css: str, expect: str) -> str:
    """Press a form's button and wait for the next page to say ``expect`` (its text, returned)."""
    await _click(browser, css)

    async def arrived() -> str | None:
        text = await _text(browser)
        return text if expect in text else None

    return str(await _until(arrived, 10, expect))


async def _text(browser: WebDriver) -> str:
    return str(await browser.script("return document.body.innerText"))


async def _shot(browser: WebDriver, name: str, tmp_path: Path) -> None:
    png = base64.b64decode(await browser.call("GET", "/screenshot"))
    assert png.startswith(b"\x89PNG")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / name).write_bytes(png)
    (tmp_path / name).write_bytes(png)


@pytest.mark.slow
async def test_a_holder_signs_up_joins_sets_terms_and_reads_the_dashboard_in_chromium(
    tmp_path: Path,
) -> None:
    port = _free_port()
    url = f"sqlite+aiosqlite:///{tmp_path / 'studio-e2e.db'}"
    from storage.migrate import upgrade

    await upgrade(url)
    site = f"http://127.0.0.1:{port}"
    settings = RefrainSettings(
        database_url=url, blobs_dir=tmp_path / "blobs",
        web=WebSettings(port=port, public_url=site, link_secret=SecretStr("e2e-secret"), json_logs=False),
        studio=studio_settings(),
    )
    async with open_app(settings, queue=InMemoryQueue()) as setup:
        await seed(setup.stores)
    async with open_app(settings, queue=InMemoryQueue()) as app:
        clip, _ = await add_delivered_clip(app, app.clock, tmp_path)
        now = app.clock.now()
        await app.stores.plays.append([
            PlayEvent(str(uuid7()), clip.id, None, UsageType.STREAM if n % 3 else UsageType.DELIVERY,
                      f"{n:064x}", "web" if n % 2 else "telegram", Origin.SHARED_LINK, 30_000, "DE",
                      now - timedelta(days=n % 20, hours=1), now)
            for n in range(120)
        ])
        async with web_component(*web_args(app), plays=MemoryPlayLog(), studio=settings.studio), \
                chromium(tmp_path) as browser:
            # 1. an independent signs up with the form, then logs in
            await browser.call("POST", "/url", {"url": f"{site}/studio/signup"})
            await _type(browser, "#f-artist_name", "Nova Lane")
            await _type(browser, "#f-email", "nova@example.com")
            await _type(browser, "#f-password", "short")
            await _submit(browser, "form button[type=submit]", "Use a password of at least 12")
            await _shot(browser, "studio_signup_error.png", tmp_path)
            await _type(browser, "#f-password", PASSWORD)
            await _submit(browser, "form button[type=submit]", "account is ready")
            await _type(browser, "#f-password", PASSWORD)
            await _submit(browser, "main form button[type=submit]", "No songs yet")
            await _shot(browser, "studio_signed_up.png", tmp_path)
            await _submit(browser, "header form button[type=submit]", "Log in to your studio")
            # 2. Big Label's person joins by invitation and logs in
            link = await app.studio.accounts.invite("party-label", site)
            await browser.call("POST", "/url", {"url": link})
            assert "Join Big Label" in await _text(browser)
            await _type(browser, "#f-email", "ops@biglabel.example")
            await _type(browser, "#f-password", PASSWORD)
            await _submit(browser, "main form button[type=submit]", "account is ready")
            await _type(browser, "#f-password", PASSWORD)
            await _submit(browser, "main form button[type=submit]", "Golden Hour")
            # 3. terms for Golden Hour: covers in lo-fi or acoustic, 30 s on the free tier, DACH
            await browser.call("POST", "/url", {"url": f"{site}/studio/songs/rec-1"})
            for box in ("input[name=kinds][value=COVER]", "input[name=styles][value=lofi]",
                        "input[name=styles][value=acoustic]"):
                checked = await browser.script(f"return document.querySelector('{box}').checked")
                if not checked:
                    await _click(browser, box)
            for box in ("input[name=kinds][value=REMIX]", "input[name=kinds][value=VOICE_SWAP]",
                        "input[name=every_style]"):
                if await browser.script(f"return document.querySelector('{box}').checked"):
                    await _click(browser, box)
            for tier, seconds in (("free", "30"), ("fan", ""), ("pro", "")):
                await _type(browser, f"#f-seconds_{tier}", seconds)
            await _type(browser, "#f-territories", "DE, AT, CH")
            await _submit(browser, "section:last-of-type form button[type=submit]",
                          "Fans on the free tier can make 30-s acoustic or lo-fi covers in AT, CH and DE; "
                          "no voice swaps")
            await _shot(browser, "studio_terms.png", tmp_path)
            # 4. the dashboard: the chart is drawn by the server, no script on the page
            await browser.call("POST", "/url", {"url": f"{site}/studio/dashboard"})
            await _until(lambda: browser.script("return document.querySelector('svg.chart') !== null"),
                         5, "the chart")
            assert await browser.script("return document.scripts.length") == 0
            text = await _text(browser)
            assert "lofi: 120 plays" in text and "telegram: 60 plays" in text
            await _shot(browser, "studio_dashboard.png", tmp_path)
    license_ = await _license(url)
    assert license_ == {"DE", "AT", "CH"}


async def _license(url: str) -> set[str]:
    from storage import Database

    async with await Database.open(url) as database:
        current = await database.stores.catalog.current_license("rec-1")
        assert current is not None
        return set(current.terms.territories)
