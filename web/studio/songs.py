"""A holder's songs: the list, one song's terms and opt-in switch, and their change log.

Handlers translate forms into ``core.studio`` calls and errors into pages:
``NotYours`` is a 404 (the same page as an id that doesn't exist), a
``StudioError`` is re-shown next to the field it concerns with nothing written.
"""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web

from core.studio import (
    Holder,
    NotYours,
    Song,
    StudioError,
    TermsChoice,
    TotpSetup,
    parse_kinds,
    parse_seconds,
    parse_styles,
    parse_territories,
)
from core.stylebook import STYLES, selectable_styles
from web.studio.render import (
    Form,
    csrf_refused,
    form,
    holder_of,
    not_found,
    page,
    redirect,
    session_cookie,
    studio_of,
)

Handler = Callable[[web.Request, Holder], Awaitable[web.StreamResponse]]
KINDS = (("COVER", "Covers"), ("REMIX", "Remixes"), ("VOICE_SWAP", "Voice swaps"))


def signed_in(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Run ``handler`` for a live session (else to the login page); a POST must carry its CSRF token."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        holder = await holder_of(request)
        if holder is None:
            return redirect("/studio/login")
        if request.method == "POST":
            fields = await form(request)
            if not studio_of(request).csrf_ok(session_cookie(request), fields.get("csrf")):
                return csrf_refused(request)
        try:
            return await handler(request, holder)
        except NotYours:
            return not_found(request, holder)

    return wrapped


def _context(request: web.Request, holder: Holder, **extra: Any) -> dict[str, Any]:
    return {"holder": holder, "csrf": studio_of(request).csrf_token(session_cookie(request) or ""),
            **extra}


@signed_in
async def songs(request: web.Request, holder: Holder) -> web.StreamResponse:
    listed = await studio_of(request).studio.rights.songs(holder)
    return page(request, "songs.html", _context(request, holder, title="Your songs", songs=listed))


async def _song_page(request: web.Request, holder: Holder, song: Song, *, status: int = 200,
                     errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                     notice: str | None = None) -> web.Response:
    rights = studio_of(request).studio.rights
    return page(request, "song.html", _context(
        request, holder, title=song.recording.title, song=song, kinds=KINDS,
        styles=[STYLES[s] for s in selectable_styles()], tiers=rights.tiers,
        voices=await rights.voices(), errors=errors or {},
        values=values if values is not None else _values_of(song), notice=notice,
    ), status=status)


def _values_of(song: Song) -> dict[str, Any]:
    terms = song.terms
    if terms is None:
        return {"kinds": [], "every_style": True, "styles": [], "territories": "", "voices": [],
                "seconds": {}}
    return {
        "kinds": [k.value for k in terms.transformations],
        "every_style": terms.styles is None,
        "styles": sorted(terms.styles or ()),
        "territories": ", ".join(sorted(terms.territories)),
        "voices": sorted(terms.voice_models),
        "seconds": {tier: str(s) for tier, s in terms.max_seconds_by_tier.items()},
    }


def _posted_values(fields: Form, tiers: dict[str, int]) -> dict[str, Any]:
    return {
        "kinds": fields.getall("kinds"),
        "every_style": fields.get("every_style") == "1",
        "styles": fields.getall("styles"),
        "territories": fields.get("territories"),
        "voices": fields.getall("voices"),
        "seconds": {tier: fields.get(f"seconds_{tier}") for tier in tiers},
    }


def _choice(fields: Form, tiers: dict[str, int]) -> TermsChoice:
    seconds = {}
    for tier, ceiling in tiers.items():
        value = parse_seconds(tier, fields.get(f"seconds_{tier}"), ceiling)
        if value is not None:
            seconds[tier] = value
    return TermsChoice(
        kinds=parse_kinds(fields.getall("kinds")),
        styles=parse_styles(fields.getall("styles"), every=fields.get("every_style") == "1"),
        max_seconds_by_tier=seconds,
        territories=parse_territories(fields.get("territories")),
        voices=frozenset(fields.getall("voices")),
    )


@signed_in
async def song(request: web.Request, holder: Holder) -> web.StreamResponse:
    found = await studio_of(request).studio.rights.song(holder, request.match_info["recording_id"])
    return await _song_page(request, holder, found)


@signed_in
async def set_terms(request: web.Request, holder: Holder) -> web.StreamResponse:
    rights = studio_of(request).studio.rights
    recording_id = request.match_info["recording_id"]
    current = await rights.song(holder, recording_id)  # NotYours before the form is even read
    fields = await form(request)
    try:
        updated = await rights.set_terms(holder, recording_id, _choice(fields, rights.tiers))
    except StudioError as error:
        return await _song_page(request, holder, current, status=400,
                                errors={error.field or "form": error.user_message},
                                values=_posted_values(fields, rights.tiers))
    return await _song_page(request, holder, updated, notice="Saved as a new license version.")


@signed_in
async def opt_out_page(request: web.Request, holder: Holder) -> web.StreamResponse:
    found = await studio_of(request).studio.rights.song(holder, request.match_info["recording_id"])
    return page(request, "opt_out.html", _context(request, holder, title="Opt out", song=found))


@signed_in
async def set_opt(request: web.Request, holder: Holder) -> web.StreamResponse:
    rights = studio_of(request).studio.rights
    recording_id = request.match_info["recording_id"]
    current = await rights.song(holder, recording_id)
    fields = await form(request)
    wanted = fields.get("opted_in")
    if wanted not in ("0", "1") or (wanted == "0" and fields.get("confirm") != "yes"):
        return await _song_page(request, holder, current, status=400, errors={
            "opt": "Choose opt in, or confirm opting out on the page that explains it."})
    updated = await rights.set_opt(holder, recording_id, wanted == "1")
    notice = "Opted in: fans can make clips again." if updated.opted_in else (
        "Opted out: no new clips from the next request, and existing links have stopped.")
    return await _song_page(request, holder, updated, notice=notice)


@signed_in
async def audit(request: web.Request, holder: Holder) -> web.StreamResponse:
    entries = await studio_of(request).studio.rights.audit(holder)
    return page(request, "audit.html", _context(request, holder, title="Changes", entries=entries))


@signed_in
async def account(request: web.Request, holder: Holder) -> web.StreamResponse:
    enabled = await studio_of(request).studio.accounts.totp_enabled(holder)
    return page(request, "account.html", _context(request, holder, title="Account", totp=enabled))


@signed_in
async def totp_setup(request: web.Request, holder: Holder) -> web.StreamResponse:
    setup = studio_of(request).studio.accounts.start_totp(holder)
    return page(request, "totp.html", _context(request, holder, title="Two-step login", setup=setup))


@signed_in
async def totp_enable(request: web.Request, holder: Holder) -> web.StreamResponse:
    accounts = studio_of(request).studio.accounts
    fields = await form(request)
    secret, proof = fields.get("secret"), fields.get("proof")
    try:
        codes = await accounts.enable_totp(holder, secret, proof, fields.get("code"))
    except StudioError as error:
        retry = error.field == "code" and bool(secret)
        setup = TotpSetup(secret, "", proof) if retry else accounts.start_totp(holder)
        return page(request, "totp.html", _context(
            request, holder, title="Two-step login", setup=setup,
            errors={error.field or "form": error.user_message}), status=400)
    return page(request, "recovery_codes.html",
                _context(request, holder, title="Recovery codes", codes=codes))


@signed_in
async def totp_disable(request: web.Request, holder: Holder) -> web.StreamResponse:
    accounts = studio_of(request).studio.accounts
    fields = await form(request)
    try:
        await accounts.disable_totp(holder, fields.get("password"))
    except StudioError as error:
        return page(request, "account.html", _context(
            request, holder, title="Account", totp=True,
            errors={error.field or "form": error.user_message}), status=400)
    return page(request, "account.html", _context(request, holder, title="Account", totp=False,
                                                  notice="Two-step login is off."))


@signed_in
async def clips(request: web.Request, holder: Holder) -> web.StreamResponse:
    listed = await studio_of(request).studio.clips.clips(holder)
    return page(request, "clips.html", _context(request, holder, title="Clips of your songs", clips=listed))


@signed_in
async def take_down(request: web.Request, holder: Holder) -> web.StreamResponse:
    studio = studio_of(request).studio
    fields = await form(request)
    clip_id = request.match_info["clip_id"]
    try:
        words = await studio.clips.take_down(holder, clip_id, fields.get("why"))
    except StudioError as error:
        listed = await studio.clips.clips(holder)
        return page(request, "clips.html", _context(
            request, holder, title="Clips of your songs", clips=listed, failed=clip_id,
            errors={error.field or "form": error.user_message}, values={"why": fields.get("why")},
        ), status=400)
    listed = await studio.clips.clips(holder)
    return page(request, "clips.html", _context(request, holder, title="Clips of your songs",
                                                clips=listed, notice=words))


MAX_TRACE_BYTES = 100 * 1024 * 1024


@signed_in
async def trace_page(request: web.Request, holder: Holder) -> web.StreamResponse:
    return page(request, "trace.html", _context(request, holder, title="Trace a file"))


async def trace(request: web.Request) -> web.StreamResponse:
    """``POST /studio/trace``: a file streamed to a temporary folder (under our own name, never
    the sender's), traced, deleted. The CSRF field must come before the file."""
    holder = await holder_of(request)
    if holder is None:
        return redirect("/studio/login")
    if not request.content_type.startswith("multipart/"):
        return csrf_refused(request)
    reader = await request.multipart()
    part = await reader.next()
    if not isinstance(part, BodyPartReader) or part.name != "csrf":
        return csrf_refused(request)
    token = (await part.read_chunk(256)).decode(errors="replace")
    if not studio_of(request).csrf_ok(session_cookie(request), token):
        return csrf_refused(request)
    part = await reader.next()
    if not isinstance(part, BodyPartReader) or part.name != "file" or not part.filename:
        return _trace_error(request, holder, "Choose an audio file to trace.")
    with tempfile.TemporaryDirectory(prefix="refrain-trace-") as folder:
        path = Path(folder) / "upload"
        size = 0
        with path.open("wb") as out:
            while chunk := await part.read_chunk(1 << 16):
                size += len(chunk)
                if size > MAX_TRACE_BYTES:
                    return _trace_error(request, holder, "That file is over 100 MB: trace an excerpt.")
                out.write(chunk)
        if size == 0:
            return _trace_error(request, holder, "That file is empty.")
        try:
            words = await studio_of(request).studio.clips.trace(holder, path)
        except StudioError as error:
            return _trace_error(request, holder, error.user_message)
    return page(request, "trace.html", _context(request, holder, title="Trace a file", result=words))


def _trace_error(request: web.Request, holder: Holder, text: str) -> web.Response:
    return page(request, "trace.html", _context(request, holder, title="Trace a file",
                                                errors={"file": text}), status=400)
