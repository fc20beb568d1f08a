"""What every studio handler shares: templates, the studio's CSP, cookies, CSRF and the holder.

The studio's pages use the share pages' strict policy with one difference:
forms may post back to this site (``form-action 'self'``). No page needs
JavaScript; none loads anything from another origin.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from core.studio import Holder
from web.studio.state import ANON_COOKIE, COOKIE_PATH, SESSION_COOKIE, STUDIO, StudioWeb

STUDIO_CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_VISITOR: web.RequestKey[str] = web.RequestKey("studio_new_visitor", str)


def page(
    request: web.Request, template: str, context: Mapping[str, Any] | None = None, *, status: int = 200
) -> web.Response:
    """A studio page with the studio's headers, and the visitor cookie when one was just made."""
    values: dict[str, Any] = {"errors": {}, "values": {}, "holder": None, "csrf": "", "notice": None,
                              "title": "Studio", "open_signup": False}
    values.update(context or {})
    response = aiohttp_jinja2.render_template(template, request, values, status=status)
    response.headers["Content-Security-Policy"] = STUDIO_CSP
    response.headers["Cache-Control"] = "no-store"
    visitor = request.get(_VISITOR)
    if visitor is not None:
        set_cookie(request, response, ANON_COOKIE, visitor)
    return response


def message(request: web.Request, status: int, heading: str, text: str,
            holder: Holder | None = None) -> web.Response:
    csrf = studio_of(request).csrf_token(session_cookie(request) or "") if holder else ""
    return page(request, "message.html", {"heading": heading, "text": text, "holder": holder,
                                          "csrf": csrf}, status=status)


def not_found(request: web.Request, holder: Holder | None = None) -> web.Response:
    """The one answer for "no such thing" and "not yours": the id is never confirmed."""
    return message(request, 404, "Nothing here",
                   "This page doesn't exist, or isn't one of yours.", holder)


def redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location, "Cache-Control": "no-store"})


def studio_of(request: web.Request) -> StudioWeb:
    return request.app[STUDIO]


def session_cookie(request: web.Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def visitor_cookie(request: web.Request) -> str:
    """The visitor's random id (made now if absent): the anonymous forms' CSRF tokens bind to it."""
    cookie = request.cookies.get(ANON_COOKIE)
    if cookie and 16 <= len(cookie) <= 64:
        return cookie
    made: str | None = request.get(_VISITOR)
    if made is None:
        made = secrets.token_urlsafe(24)
        request[_VISITOR] = made
    return made


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str) -> None:
    response.set_cookie(name, value, path=COOKIE_PATH, httponly=True, samesite="Lax",
                        secure=studio_of(request).secure_cookies)


def clear_cookie(response: web.StreamResponse, name: str) -> None:
    response.del_cookie(name, path=COOKIE_PATH)


async def holder_of(request: web.Request) -> Holder | None:
    cookie = session_cookie(request)
    return await studio_of(request).studio.accounts.holder(cookie) if cookie else None


class Form:
    """Posted text fields; a file where text was expected reads as empty."""

    def __init__(self, fields: Mapping[str, list[str]]) -> None:
        self._fields = fields

    def get(self, name: str) -> str:
        values = self._fields.get(name)
        return values[0] if values else ""

    def getall(self, name: str) -> list[str]:
        return list(self._fields.get(name, ()))


async def form(request: web.Request) -> Form:
    data = await request.post()
    fields: dict[str, list[str]] = {}
    for key, value in data.items():
        if isinstance(value, str):
            fields.setdefault(key, []).append(value)
    return Form(fields)


def csrf_refused(request: web.Request) -> web.Response:
    return message(request, 403, "This form has expired",
                   "Nothing was changed. Go back, reload the page and send the form again.")
