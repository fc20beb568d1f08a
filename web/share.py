"""``GET /s/<share_id>``: the share page of one delivery, with a player and a fresh beacon token.

Each page load gets its own nonce (its listening session) and a signed clip
link; the listener is the HMAC of a first-party random cookie, or of the
platform user when the link was made for that user (``?u=`` marker).
"""

from __future__ import annotations

import functools
import re
import secrets
from datetime import datetime

from aiohttp import web

from core.deliveries import SharedClip
from core.links import BeaconState
from core.listeners import listener_key
from core.model import WORLDWIDE
from web.pages import PageLinks, message_page, share_page
from web.responses import html_response, not_found
from web.state import STATE, WebState

_SHARE_ID = re.compile(r"[A-Za-z0-9_-]{4,64}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_COOKIE_MAX_AGE_S = 365 * 24 * 3600
WEB_PLATFORM = "web"
_TOKEN_SLOT = "@@beacon-token@@"
_MAX_CACHED_PAGES = 10_000
# everything but the body and the cookie is the same on every share page: built once
_PAGE_HEADERS = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}


async def share_page_handler(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    share_id = request.match_info["share_id"]
    if not _SHARE_ID.fullmatch(share_id):
        return not_found(state)
    shared = await state.shared.by_share_id(share_id)
    if shared is None:
        return not_found(state)
    if shared.gone is not None:
        return html_response(
            message_page("This clip is no longer available", shared.gone,
                         get_your_own=state.get_your_own),
            status=410,
        )
    now = state.clock.now()
    listener, territory, new_cookie = await _listener(request, state)
    session = BeaconState(
        delivery_id=shared.delivery.id,
        nonce=secrets.token_urlsafe(16),
        listener_key=listener,
        territory=territory,
        issued_ms=int(now.timestamp() * 1000),
    )
    before, after = _page_around_token(state, share_id, shared, now)
    token = state.signer.beacon_token(session).encode("ascii")  # URL-safe base64: nothing to escape
    response = web.Response(body=b"".join((before, token, after)), headers=_PAGE_HEADERS)
    if new_cookie is not None:
        response.set_cookie(
            state.settings.cookie_name,
            new_cookie,
            max_age=_COOKIE_MAX_AGE_S,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=state.secure_cookies,
        )
    return response


def _page_around_token(
    state: WebState, share_id: str, shared: SharedClip, now: datetime
) -> tuple[bytes, bytes]:
    """The page, encoded, split where the beacon token goes; the rest changes only with the link's expiry.

    Rendering it once per (lookup, expiry) instead of per request keeps a busy
    share link cheap: the per-load work is a nonce, two HMACs and a join.
    """
    expiry = state.signer.expiry(now)
    cached = state.pages.get(share_id)
    if cached is not None and cached[0] is shared and cached[1] == expiry:
        return cached[2], cached[3]
    delivery = shared.delivery
    html = share_page(
        shared,
        token=_TOKEN_SLOT,
        clip_src=state.signer.clip_path(delivery.id, delivery.fmt, now),
        clip_url=state.signer.clip_url(delivery.id, delivery.fmt, now),
        links=PageLinks(page_url=state.signer.share_url(share_id), get_your_own=state.get_your_own),
        progress_every_s=state.settings.beacon_progress_s,
    )
    text_before, _, text_after = html.partition(_TOKEN_SLOT)
    before, after = text_before.encode(), text_after.encode()
    state.pages[share_id] = (shared, expiry, before, after)
    state.pages.move_to_end(share_id)
    while len(state.pages) > _MAX_CACHED_PAGES:
        state.pages.popitem(last=False)
    return before, after


async def _listener(request: web.Request, state: WebState) -> tuple[str, str, str | None]:
    """(listener key, territory, cookie to set or ``None``) of whoever loads the page."""
    territory = _proxy_country(request, state) or WORLDWIDE
    marker = request.query.get("u")
    if marker:
        user_id = state.signer.user_of_marker(marker)
        user = await state.port.requests.user(user_id) if user_id else None
        if user is not None:
            key = listener_key(state.listener_secret, user.platform, user.platform_user_id)
            return key, user.country or territory, None
    cookie = _cookie(request, state.settings.cookie_name)
    new_cookie = None
    if cookie is None:
        cookie = new_cookie = secrets.token_urlsafe(18)
    return listener_key(state.listener_secret, WEB_PLATFORM, cookie), territory, new_cookie


def _cookie(request: web.Request, name: str) -> str | None:
    """Our listener cookie's value when the request carries a well-formed one.

    Read straight from the ``Cookie`` header: parsing every cookie a browser
    sends into a ``SimpleCookie`` costs more than the rest of the page.
    """
    header = request.headers.get("Cookie")
    if not header or name not in header:
        return None
    found = _cookie_pattern(name).search(header)
    return found.group(1) if found is not None else None


@functools.cache
def _cookie_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"(?:^|[;\s])" + re.escape(name) + r"=([A-Za-z0-9_-]{16,64})(?:;|\s|$)")


def _proxy_country(request: web.Request, state: WebState) -> str | None:
    """The country a trusted proxy says the client is in (GeoIP), if configured and sane."""
    header = state.settings.country_header
    if not header or not state.clients.trusted(request.remote):
        return None
    value = request.headers.get(header, "").strip().upper()
    return value if _COUNTRY.fullmatch(value) and value not in ("XX", "T1") else None
