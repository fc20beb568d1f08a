"""Login, sign-up, invitations, log out: HTTP in and out of ``core.studio.StudioAccounts``.

Every POST checks the CSRF token first and the rate limits second, so a
forged or throttled form costs no password hash and changes nothing.
"""

from __future__ import annotations

import hashlib
import time

from aiohttp import web

from core.studio import LOGIN_FAILED, StudioError
from web.logs import CLIENT_IP
from web.studio.render import (
    Form,
    clear_cookie,
    csrf_refused,
    form,
    holder_of,
    message,
    page,
    redirect,
    session_cookie,
    set_cookie,
    studio_of,
    visitor_cookie,
)
from web.studio.state import ANON_COOKIE, SESSION_COOKIE

THROTTLED = "Too many tries in a short time. Nothing was checked; wait a minute and try again."


async def home(request: web.Request) -> web.StreamResponse:
    return redirect("/studio/songs" if await holder_of(request) else "/studio/login")


def _anon_page(request: web.Request, template: str, status: int = 200, **context: object) -> web.Response:
    studio = studio_of(request)
    return page(request, template, {"csrf": studio.csrf_token(visitor_cookie(request)),
                                    "open_signup": studio.studio.accounts.open_signup, **context},
                status=status)


def _anon_csrf_ok(request: web.Request, fields: Form) -> bool:
    return studio_of(request).csrf_ok(request.cookies.get(ANON_COOKIE), fields.get("csrf"))


def _throttled(request: web.Request, email: str) -> bool:
    """Take one try from the client's and the address's buckets (existing address or not)."""
    studio = studio_of(request)
    now = time.monotonic()
    ip_ok = studio.ip_limits.allow(str(request.get(CLIENT_IP) or request.remote), now)
    key = hashlib.sha256(email.strip().casefold().encode()).hexdigest()
    account_ok = studio.account_limits.allow(key, now)
    return not (ip_ok and account_ok)


async def login_page(request: web.Request) -> web.StreamResponse:
    if await holder_of(request):
        return redirect("/studio/songs")
    return _anon_page(request, "login.html", title="Log in")


async def login(request: web.Request) -> web.StreamResponse:
    fields = await form(request)
    if not _anon_csrf_ok(request, fields):
        return csrf_refused(request)
    email = fields.get("email")
    values = {"email": email}
    if _throttled(request, email):
        return _anon_page(request, "login.html", 429, title="Log in", values=values,
                          errors={"form": THROTTLED})
    accounts = studio_of(request).studio.accounts
    try:
        opened = await accounts.log_in(email, fields.get("password"), replaces=session_cookie(request),
                                       code=fields.get("code"))
    except StudioError:
        return _anon_page(request, "login.html", 400, title="Log in", values=values,
                          errors={"form": LOGIN_FAILED})
    response = redirect("/studio/songs")
    set_cookie(request, response, SESSION_COOKIE, opened.cookie)  # a new id: rotated at login
    clear_cookie(response, ANON_COOKIE)
    return response


async def signup_page(request: web.Request) -> web.StreamResponse:
    if not studio_of(request).studio.accounts.open_signup:
        return message(request, 404, "Sign-up is by invitation",
                       "Ask the operator of this Refrain for an invitation link.")
    return _anon_page(request, "signup.html", title="Sign up")


async def signup(request: web.Request) -> web.StreamResponse:
    fields = await form(request)
    if not _anon_csrf_ok(request, fields):
        return csrf_refused(request)
    email, name = fields.get("email"), fields.get("artist_name")
    values = {"email": email, "artist_name": name}
    if _throttled(request, email):
        return _anon_page(request, "signup.html", 429, title="Sign up", values=values,
                          errors={"form": THROTTLED})
    try:
        words = await studio_of(request).studio.accounts.sign_up(email, fields.get("password"), name)
    except StudioError as error:
        return _anon_page(request, "signup.html", 400, title="Sign up", values=values,
                          errors={error.field or "form": error.user_message})
    return _anon_page(request, "login.html", title="Log in", values={"email": email},
                      notice=words)


async def join_page(request: web.Request) -> web.StreamResponse:
    token = request.match_info["token"]
    info = await studio_of(request).studio.accounts.invite_info(token)
    if info is None:
        return message(request, 404, "This invitation doesn't work",
                       "The link has expired, was already used, or wasn't copied whole. "
                       "Ask for a new one.")
    return _anon_page(request, "join.html", title="Join", token=token, info=info)


async def join(request: web.Request) -> web.StreamResponse:
    token = request.match_info["token"]
    fields = await form(request)
    if not _anon_csrf_ok(request, fields):
        return csrf_refused(request)
    email = fields.get("email")
    accounts = studio_of(request).studio.accounts
    info = await accounts.invite_info(token)
    if _throttled(request, email):
        return _anon_page(request, "join.html", 429, title="Join", token=token, info=info,
                          values={"email": email}, errors={"form": THROTTLED})
    try:
        words = await accounts.accept_invite(token, email, fields.get("password"))
    except StudioError as error:
        if info is None:
            return message(request, 404, "This invitation doesn't work", error.user_message)
        return _anon_page(request, "join.html", 400, title="Join", token=token, info=info,
                          values={"email": email}, errors={error.field or "form": error.user_message})
    return _anon_page(request, "login.html", title="Log in", values={"email": email}, notice=words)


async def logout(request: web.Request) -> web.StreamResponse:
    cookie = session_cookie(request)
    if cookie is None:
        return redirect("/studio/login")
    fields = await form(request)
    if not studio_of(request).csrf_ok(cookie, fields.get("csrf")):
        return csrf_refused(request)
    await studio_of(request).studio.accounts.log_out(cookie)
    response = redirect("/studio/login")
    clear_cookie(response, SESSION_COOKIE)
    return response


async def logout_everywhere(request: web.Request) -> web.StreamResponse:
    cookie = session_cookie(request)
    holder = await holder_of(request)
    if holder is None:
        return redirect("/studio/login")
    fields = await form(request)
    if not studio_of(request).csrf_ok(cookie, fields.get("csrf")):
        return csrf_refused(request)
    await studio_of(request).studio.accounts.log_out_everywhere(holder)
    response = redirect("/studio/login")
    clear_cookie(response, SESSION_COOKIE)
    return response
