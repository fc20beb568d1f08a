"""The studio's doors: sign-up, invitations, login, sessions, CSRF and login throttling.

Each test drives the real web application (real storage, real argon2id) with
browsers that keep their own cookies, and checks the database afterwards.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.studio import LOGIN_FAILED, SIGNED_UP, session_hash
from storage.schema import StudioAccountRow, StudioSessionRow
from tests.web.conftest import BOTH_BACKENDS
from tests.web.studio_support import PASSWORD, StudioWorld, studio_world
from web.studio.access import THROTTLED
from web.studio.render import STUDIO_CSP
from web.studio.state import ANON_COOKIE, SESSION_COOKIE

pytestmark = pytest.mark.asyncio


async def _count(world: StudioWorld, table: type[Any]) -> int:
    async with world.app.database.engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(table))).scalar_one())


async def _accounts(world: StudioWorld) -> int:
    return await _count(world, StudioAccountRow)


async def _sessions(world: StudioWorld) -> int:
    return await _count(world, StudioSessionRow)


@BOTH_BACKENDS
async def test_an_independent_signs_up_logs_in_and_sees_the_studio(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as browser:
        response = await browser.sign_up("Nova@Example.com ", "Nova Lane")
        assert response.status == 200 and SIGNED_UP in browser.last_text
        assert browser.cookie(SESSION_COOKIE) is None  # signing up does not log in: it would tell
        response = await browser.log_in("nova@example.com")
        assert response.status == 200 and str(response.url).endswith("/studio/songs")
        assert "Your songs" in browser.last_text and "No songs yet" in browser.last_text
        account = await world.app.database.studio.account_by_email("nova@example.com")
        assert account is not None and len(account.party_ids) == 1
        party = await world.app.stores.catalog.get_party(next(iter(account.party_ids)))
        assert party is not None and party.name == "Nova Lane" and party.independent
        cookie = browser.cookie(SESSION_COOKIE)
        assert cookie is not None
        stored = await world.app.database.studio.get_session(session_hash(cookie))
        assert stored is not None and stored.account_id == account.id  # the table keeps a hash only
        assert await world.app.database.studio.get_session(cookie) is None


async def test_studio_pages_carry_the_strict_policy_and_cookies_are_httponly_lax(
    db_url: str, tmp_path: Path
) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as browser:
        page = await browser.client.get("/studio/login")
        assert page.headers["Content-Security-Policy"] == STUDIO_CSP
        assert "form-action 'self'" in STUDIO_CSP and "script-src 'none'" in STUDIO_CSP
        assert page.headers["Cache-Control"] == "no-store"
        set_cookie = page.headers["Set-Cookie"]
        assert ANON_COOKIE in set_cookie and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
        assert "Secure" not in set_cookie  # plain http here
        html = await page.text()
        assert "<script" not in html and 'for="f-email"' in html and 'id="f-email"' in html


async def test_cookies_are_secure_behind_tls(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path, public_url="https://refrain.example") as world, \
            world.browser() as browser:
        page = await browser.client.get("/studio/login")
        assert "Secure" in page.headers["Set-Cookie"]


async def test_signing_up_with_a_taken_address_reads_the_same_and_changes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as browser:
        await browser.sign_up("nova@example.com", "Nova Lane")
        first = browser.last_text
        await browser.sign_up("nova@example.com", "Someone Else", "another long password")
        assert _without_csrf(browser.last_text) == _without_csrf(first) and SIGNED_UP in first
        await browser.sign_up("NOVA@example.com ", "Someone Else", "another long password")
        assert SIGNED_UP in browser.last_text
        assert await _accounts(world) == 1
        await browser.log_in("nova@example.com", "another long password")
        assert LOGIN_FAILED in browser.last_text  # the first owner's password still holds


async def test_a_wrong_password_and_an_unknown_address_read_alike(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as browser:
        await browser.sign_up("nova@example.com", "Nova Lane")
        wrong = await browser.log_in("nova@example.com", "not the password at all")
        wrong_text = browser.last_text.replace("nova@example.com", "EMAIL")
        unknown = await browser.log_in("nobody@example.com", "not the password at all")
        unknown_text = browser.last_text.replace("nobody@example.com", "EMAIL")
        assert wrong.status == unknown.status == 400
        assert LOGIN_FAILED in wrong_text
        assert _without_csrf(wrong_text) == _without_csrf(unknown_text)
        assert browser.cookie(SESSION_COOKIE) is None


def _without_csrf(html: str) -> str:
    import re

    return re.sub(r'name="csrf" value="[^"]+"', "", html)


async def test_login_without_or_with_a_wrong_csrf_token_is_refused(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as browser:
        await browser.sign_up("nova@example.com", "Nova Lane")
        await browser.get("/studio/login")
        missing = await browser.post("/studio/login", {"email": "nova@example.com", "password": PASSWORD},
                                     csrf=False)
        assert missing.status == 403 and "Nothing was changed" in browser.last_text
        await browser.get("/studio/login")
        wrong = await browser.client.post("/studio/login", data={
            "email": "nova@example.com", "password": PASSWORD, "csrf": "0" * 64})
        assert wrong.status == 403
        assert browser.cookie(SESSION_COOKIE) is None and await _sessions(world) == 0
        # a token from another browser is no good either (it is bound to that browser's cookie)
        async with world.browser() as other:
            await other.get("/studio/login")
            await browser.get("/studio/login")
            stolen = await browser.client.post("/studio/login", data={
                "email": "nova@example.com", "password": PASSWORD, "csrf": other.csrf})
            assert stolen.status == 403 and await _sessions(world) == 0


async def test_signup_without_a_csrf_token_creates_nothing(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as browser:
        await browser.get("/studio/signup")
        response = await browser.post("/studio/signup", {
            "email": "nova@example.com", "artist_name": "Nova", "password": PASSWORD}, csrf=False)
        assert response.status == 403 and await _accounts(world) == 0


async def test_the_session_id_is_rotated_at_login(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as browser:
        await browser.sign_up("nova@example.com", "Nova Lane")
        # a fixation attempt: the browser arrives with a session id someone else chose
        planted = "planted-by-someone-else-0123456789"
        browser.client.cookie_jar.update_cookies({SESSION_COOKIE: planted}, world.server.make_url("/studio"))
        assert browser.cookie(SESSION_COOKIE) == planted
        await browser.log_in("nova@example.com")
        first = browser.cookie(SESSION_COOKIE)
        assert first and first != planted and await world.app.studio.accounts.holder(planted) is None
        assert browser.cookie(ANON_COOKIE) is None  # the visitor id ends at login too
        # logging in again from a live session ends that session and opens another
        again = await world.app.studio.accounts.log_in("nova@example.com", PASSWORD, replaces=first)
        assert again.cookie != first
        assert await world.app.database.studio.get_session(session_hash(first)) is None
        assert await world.app.studio.accounts.holder(first) is None
        assert await world.app.studio.accounts.holder(again.cookie) is not None


async def test_twenty_wrong_passwords_are_throttled_in_plain_words(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as browser:
        await browser.sign_up("nova@example.com", "Nova Lane")
        statuses = []
        for attempt in range(20):
            response = await browser.log_in("nova@example.com", f"wrong password number {attempt}")
            statuses.append(response.status)
        assert statuses[0] == 400 and statuses[-1] == 429
        assert THROTTLED in browser.last_text
        assert "Too many tries" in browser.last_text
        # throttled: even the right password is not checked until the minute is over
        response = await browser.log_in("nova@example.com")
        assert response.status == 429 and browser.cookie(SESSION_COOKIE) is None


async def test_throttling_is_per_address_whether_or_not_it_exists(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path, login_burst_per_ip=1000) as world, \
            world.browser() as browser:
        await browser.sign_up("nova@example.com", "Nova Lane")
        known = [(await browser.log_in("nova@example.com", "wrong wrong wrong")).status
                 for _ in range(12)]
        await browser.log_in("ghost@example.com", "wrong wrong wrong")  # as the sign-up took one
        unknown = [(await browser.log_in("ghost@example.com", "wrong wrong wrong")).status
                   for _ in range(12)]
        assert known == unknown  # the limit itself tells nothing about the address
        assert 429 in known
        assert (await browser.log_in("other@example.com", "wrong wrong wrong")).status == 400


async def test_sessions_end_after_the_idle_and_the_absolute_timeout(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as browser:
        await browser.sign_up("nova@example.com", "Nova Lane")
        await browser.log_in("nova@example.com")
        world.clock.advance(timedelta(minutes=29))
        assert str((await browser.get("/studio/songs")).url).endswith("/studio/songs")
        world.clock.advance(timedelta(minutes=31))
        assert str((await browser.get("/studio/songs")).url).endswith("/studio/login")
        await browser.log_in("nova@example.com")
        for _ in range(12 * 3 - 1):  # busy all day, never idle for long
            world.clock.advance(timedelta(minutes=20))
            assert str((await browser.get("/studio/songs")).url).endswith("/studio/songs")
        world.clock.advance(timedelta(minutes=20))
        assert str((await browser.get("/studio/songs")).url).endswith("/studio/login")


async def test_log_out_and_log_out_everywhere(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as laptop, \
            world.browser() as phone, world.browser() as tablet:
        await laptop.sign_up("nova@example.com", "Nova Lane")
        for browser in (laptop, phone, tablet):
            await browser.log_in("nova@example.com")
        assert await _sessions(world) == 3
        await tablet.get("/studio/songs")
        await tablet.post("/studio/logout", {})
        assert await _sessions(world) == 2
        await laptop.get("/studio/account")
        refused = await laptop.post("/studio/logout-everywhere", {}, csrf=False)
        assert refused.status == 403 and await _sessions(world) == 2
        await laptop.get("/studio/account")
        await laptop.post("/studio/logout-everywhere", {})
        assert await _sessions(world) == 0
        assert str((await phone.get("/studio/songs")).url).endswith("/studio/login")


async def test_an_invitation_works_once_for_seven_days(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as browser:
        link = await world.app.studio.accounts.invite("party-label", "http://studio.test")
        assert link.startswith("http://studio.test/studio/join/")
        page = await browser.get(link[link.index("/studio/"):])
        assert page.status == 200 and "Big Label" in browser.last_text
        await browser.join(link, "ops@biglabel.example")
        assert SIGNED_UP in browser.last_text
        await browser.log_in("ops@biglabel.example")
        assert "Golden Hour" in browser.last_text  # the label's recording
        async with world.browser() as again:
            used = await again.get(link[link.index("/studio/"):])
            assert used.status == 404 and "expired, was already used" in again.last_text
        forged = link[:-1] + ("0" if link[-1] != "0" else "1")
        assert (await browser.get(forged[forged.index("/studio/"):])).status == 404
        late = await world.app.studio.accounts.invite("party-pub", "http://studio.test")
        world.clock.advance(timedelta(days=7, seconds=1))
        assert (await browser.get(late[late.index("/studio/"):])).status == 404
        assert await _accounts(world) == 1


async def test_an_existing_account_joins_a_second_party_with_its_password(
    db_url: str, tmp_path: Path
) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as browser:
        await browser.sign_up("nova@example.com", "Nova Lane")
        link = await world.app.studio.accounts.invite("party-writer", "http://studio.test")
        await browser.join(link, "nova@example.com", "a wrong password here")
        assert SIGNED_UP in browser.last_text  # the same words: nothing confirmed
        account = await world.app.database.studio.account_by_email("nova@example.com")
        assert account is not None and "party-writer" not in account.party_ids
        await browser.join(link, "nova@example.com")
        account = await world.app.database.studio.account_by_email("nova@example.com")
        assert account is not None and "party-writer" in account.party_ids


async def test_invitations_only_for_parties_that_exist(db_url: str, tmp_path: Path) -> None:
    from core.studio import StudioError

    async with studio_world(db_url, tmp_path) as world:
        with pytest.raises(StudioError, match="no party"):
            await world.app.studio.accounts.invite("party-nobody", "http://studio.test")


async def test_sign_up_is_closed_unless_the_setting_opens_it(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path, open_signup=False) as world, world.browser() as browser:
        page = await browser.get("/studio/signup")
        assert page.status == 404 and "invitation" in browser.last_text
        await browser.get("/studio/login")
        response = await browser.post("/studio/signup", {
            "email": "nova@example.com", "artist_name": "Nova", "password": PASSWORD})
        assert response.status == 400 and await _accounts(world) == 0


async def test_bad_sign_up_input_is_named_next_to_its_field(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as browser:
        await browser.get("/studio/signup")
        response = await browser.post("/studio/signup", {
            "email": "not-an-address", "artist_name": "Nova", "password": PASSWORD})
        assert response.status == 400
        assert 'id="e-email"' in browser.last_text and "name@example.com" in browser.last_text
        response = await browser.post("/studio/signup", {
            "email": "nova@example.com", "artist_name": "Nova", "password": "short"})
        assert response.status == 400 and 'id="e-password"' in browser.last_text
        assert 'value="nova@example.com"' in browser.last_text  # what was typed stays
        assert await _accounts(world) == 0
