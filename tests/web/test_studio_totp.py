"""Two-step login: a TOTP secret confirmed with a code, recovery codes that work once, and
answers at login that read the same whatever was wrong."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest

from core.studio import LOGIN_FAILED
from tests.web.studio_support import PASSWORD, Browser, StudioWorld, studio_world
from web.studio.state import SESSION_COOKIE

pytestmark = pytest.mark.asyncio


def _code(world: StudioWorld, secret: str, shift: timedelta = timedelta()) -> str:
    return pyotp.TOTP(secret).at(world.clock.now() + shift)


async def _turn_on(world: StudioWorld, browser: Browser) -> tuple[str, list[str]]:
    await browser.get("/studio/account/totp")
    found = re.search(r'id="totp-secret">([A-Z2-7]+)<', browser.last_text)
    assert found is not None
    secret = found.group(1)
    proof = re.search(r'name="proof" value="([0-9a-f]+)"', browser.last_text)
    assert proof is not None
    bad = "000000" if _code(world, secret) != "000000" else "111111"
    wrong = await browser.post("/studio/account/totp",
                               {"secret": secret, "proof": proof.group(1), "code": bad})
    assert wrong.status == 400 and "doesn't match" in browser.last_text
    holder = await world.app.studio.accounts.holder(browser.cookie(SESSION_COOKIE) or "")
    assert holder is not None and not await world.app.studio.accounts.totp_enabled(holder)
    response = await browser.post("/studio/account/totp", {
        "secret": secret, "proof": proof.group(1), "code": _code(world, secret)})
    assert response.status == 200 and "Two-step login is on" in browser.last_text
    codes = re.findall(r"<code>([0-9a-f]{10})</code>", browser.last_text)
    assert len(codes) == 10
    return secret, codes


async def test_two_step_login_with_the_app_and_with_recovery_codes(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as browser:
        await browser.sign_up("nova@example.com", "Nova Lane")
        await browser.log_in("nova@example.com")
        secret, codes = await _turn_on(world, browser)
        account = await world.app.database.studio.account_by_email("nova@example.com")
        assert account is not None and account.totp_secret == secret
        async with world.browser() as phone:
            # password alone, or a wrong code: the same words as a wrong password
            await phone.log_in("nova@example.com")
            assert LOGIN_FAILED in phone.last_text and phone.cookie(SESSION_COOKIE) is None
            await phone.get("/studio/login")
            await phone.post("/studio/login", {"email": "nova@example.com", "password": PASSWORD,
                                               "code": _code(world, secret, timedelta(minutes=5))})
            assert LOGIN_FAILED in phone.last_text and phone.cookie(SESSION_COOKIE) is None
            await phone.get("/studio/login")
            await phone.post("/studio/login", {"email": "nova@example.com", "password": PASSWORD,
                                               "code": _code(world, secret)})
            assert phone.cookie(SESSION_COOKIE) is not None and "Your songs" in phone.last_text
        async with world.browser() as laptop:
            for attempt in range(2):
                await laptop.get("/studio/login")
                await laptop.post("/studio/login", {"email": "nova@example.com", "password": PASSWORD,
                                                    "code": codes[0].upper()})
                logged_in = laptop.cookie(SESSION_COOKIE) is not None
                assert logged_in == (attempt == 0)  # a recovery code works once
                if logged_in:
                    await laptop.get("/studio/account")
                    await laptop.post("/studio/logout", {})
        # off again, with the password
        await browser.get("/studio/account")
        refused = await browser.post("/studio/account/totp/off", {"password": "not my password!!"})
        assert refused.status == 400 and "doesn't match" in browser.last_text
        await browser.post("/studio/account/totp/off", {"password": PASSWORD})
        assert "Two-step login is off" in browser.last_text
        async with world.browser() as again:
            await again.log_in("nova@example.com")
            assert again.cookie(SESSION_COOKIE) is not None
        await browser.get("/studio/audit")
        assert "two-step login off → on" in browser.last_text
        assert "two-step login on → off" in browser.last_text


async def test_a_forged_setup_form_turns_nothing_on(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as browser:
        await browser.sign_up("nova@example.com", "Nova Lane")
        await browser.log_in("nova@example.com")
        await browser.get("/studio/account/totp")
        secret = pyotp.random_base32()  # the attacker's own secret, with a made-up proof
        response = await browser.post("/studio/account/totp", {
            "secret": secret, "proof": "0" * 64, "code": _code(world, secret)})
        assert response.status == 400 and "expired" in browser.last_text
        no_csrf = await browser.post("/studio/account/totp", {
            "secret": secret, "proof": "0" * 64, "code": _code(world, secret)}, csrf=False)
        assert no_csrf.status == 403
        account = await world.app.database.studio.account_by_email("nova@example.com")
        assert account is not None and account.totp_secret is None
