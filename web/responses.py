"""Small response helpers shared by the handlers."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from web.pages import message_page
from web.state import WebState


def html_response(page: str, *, status: int = 200, cache: str = "no-store") -> web.Response:
    return web.Response(
        text=page, status=status, content_type="text/html", charset="utf-8",
        headers={"Cache-Control": cache},
    )


def message(state: WebState, status: int, heading: str, text: str, **headers: str) -> web.Response:
    response = html_response(message_page(heading, text, get_your_own=state.get_your_own), status=status)
    response.headers.update(headers)
    return response


def not_found(state: WebState) -> web.Response:
    return message(
        state, 404, "Nothing here",
        "This link doesn't lead to a Refrain clip. Check that it was copied whole.",
    )


def json_response(data: dict[str, Any], *, status: int = 200, **headers: str) -> web.Response:
    response = web.json_response(data, status=status, headers={"Cache-Control": "no-store"})
    response.headers.update(headers)
    return response
