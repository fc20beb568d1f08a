"""The dashboard and statements: plays, clips and earnings; one statement as a page and as files.

The files are the CLI's (``refrain royalties statement --format csv|json|dsr``),
rendered by the same core functions from the same statement.
"""

from __future__ import annotations

import re
from datetime import timedelta

from aiohttp import web
from markupsafe import Markup

from core.royalties import Statement, format_micros
from core.studio import FORMATS, Holder, NotYours, StudioError
from web.studio.chart import COLOURS, WORDS, plays_chart
from web.studio.render import message, page, session_cookie, studio_of
from web.studio.songs import signed_in

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def _context(request: web.Request, holder: Holder, **extra: object) -> dict[str, object]:
    return {"holder": holder, "csrf": studio_of(request).csrf_token(session_cookie(request) or ""),
            "money": format_micros, **extra}


async def _dashboard(request: web.Request, holder: Holder, recording_id: str | None) -> web.Response:
    studio = studio_of(request).studio
    try:
        board = await studio.dashboard.dashboard(holder, recording_id)
    except StudioError:  # statements unavailable: the counts still are
        board = await studio.dashboard.dashboard(holder, recording_id, with_earnings=False)
    return page(request, "dashboard.html", _context(
        request, holder, title=f"Dashboard: {board.title}", board=board,
        chart=Markup(plays_chart(board)), colours={s.value: c for s, c in COLOURS.items()},
        words={s.value: w for s, w in WORDS.items()}, timedelta=timedelta,
    ))


@signed_in
async def dashboard(request: web.Request, holder: Holder) -> web.StreamResponse:
    return await _dashboard(request, holder, None)


@signed_in
async def song_dashboard(request: web.Request, holder: Holder) -> web.StreamResponse:
    return await _dashboard(request, holder, request.match_info["recording_id"])


@signed_in
async def statements(request: web.Request, holder: Holder) -> web.StreamResponse:
    try:
        totals = await studio_of(request).studio.statements.periods(holder)
    except StudioError as error:
        return message(request, 503, "Statements are unavailable", error.user_message, holder)
    return page(request, "statements.html", _context(request, holder, title="Statements", totals=totals))


async def _statement(request: web.Request, holder: Holder) -> Statement:
    info = request.match_info
    try:
        return await studio_of(request).studio.statements.statement(holder, info["party_id"],
                                                                     info["period"])
    except StudioError:
        raise NotYours() from None  # a malformed period in a URL is just a page that isn't there


@signed_in
async def statement(request: web.Request, holder: Holder) -> web.StreamResponse:
    found = await _statement(request, holder)
    return page(request, "statement.html", _context(request, holder, title=f"Statement {found.period}",
                                                     statement=found, formats=sorted(FORMATS)))


@signed_in
async def download(request: web.Request, holder: Holder) -> web.StreamResponse:
    fmt = request.match_info["fmt"]
    if fmt not in FORMATS:
        raise NotYours()
    found = await _statement(request, holder)
    text = studio_of(request).studio.statements.render(found, fmt)
    name = _SAFE.sub("_", f"statement-{found.party_id}-{found.period}.{fmt if fmt != 'dsr' else 'tsv'}")
    return web.Response(text=text, content_type=FORMATS[fmt], charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
