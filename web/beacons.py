"""``POST /b``: the player's start / progress / end beacons, turned into one play event per round.

A beacon is ``{"t": token, "k": "start"|"progress"|"end", "ms": listened, "at": client_ms}``.
The token (core.links) carries the session; the answer carries the next one.
Forged tokens are refused before anything else is looked at, floods are
refused per client address and per listener before any database access, and
a play is stored only when a round ends, under an event id derived from the
page load's nonce, so replays cannot store it twice.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

from aiohttp import web

from core.errors import UserFacing
from core.model import Origin, PlayEvent, UsageType
from web.logs import CLIENT_IP
from web.playrules import Accepted, BeaconKind, Refusal, advance
from web.responses import json_response
from web.share import WEB_PLATFORM
from web.state import STATE, WebState

log = logging.getLogger(__name__)

MAX_BEACON_BYTES = 2048
_MAX_MS = 24 * 3600 * 1000
_STATUS = {
    Refusal.PAGE_EXPIRED: 410,
    Refusal.NOT_PLAYING: 409,
    Refusal.ALREADY_PLAYING: 409,
    Refusal.TOO_MANY_ROUNDS: 409,
    Refusal.IMPOSSIBLE_TIMING: 422,
}


class BadBeacon(UserFacing):
    pass


async def beacon_handler(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    metrics = state.metrics
    if state.plays is None:
        metrics.beacon("unavailable")
        return json_response({"error": "play counting is not available"}, status=503)
    if not state.ip_limits.allow(request.get(CLIENT_IP, "unknown"), time.monotonic()):
        return _limited(state)
    try:
        token, kind, claimed_ms, client_ms = await _read(request)
    except BadBeacon as exc:
        metrics.beacon("malformed")
        return json_response({"error": str(exc)}, status=413 if "large" in str(exc) else 400)
    session = state.signer.read_beacon_token(token)
    if session is None:
        metrics.beacon("forged")
        return json_response({"error": "this beacon was not signed by Refrain"}, status=403)
    if not state.listener_limits.allow(session.listener_key, time.monotonic()):
        return _limited(state)
    shared = await state.shared.by_delivery_id(session.delivery_id)
    if shared is None:
        metrics.beacon("unknown_clip")
        return json_response({"error": "this clip is gone"}, status=410)
    now = state.clock.now()
    outcome = advance(
        session,
        kind,
        claimed_ms=claimed_ms,
        client_ms=client_ms,
        now_ms=int(now.timestamp() * 1000),
        clip_ms=shared.duration_ms,
        rules=state.rules,
    )
    if isinstance(outcome, Refusal):
        metrics.beacon(outcome.value)
        return json_response({"error": outcome.value}, status=_STATUS[outcome])
    metrics.beacon(f"accepted_{kind.value}")
    await _record(state, outcome, shared.clip.id, now)
    return json_response({"t": state.signer.beacon_token(outcome.state)})


async def _record(state: WebState, outcome: Accepted, clip_id: str, now: datetime) -> None:
    finished = outcome.finished
    if finished is None or finished.ms_played < state.settings.beacon_min_record_ms:
        return
    assert state.plays is not None
    event = PlayEvent(
        event_id=state.signer.play_event_id(finished),
        clip_id=clip_id,
        delivery_id=finished.delivery_id,
        usage=UsageType.STREAM,
        listener_key=finished.listener_key,
        platform=WEB_PLATFORM,
        origin=Origin.SHARED_LINK,
        ms_played=finished.ms_played,
        territory=finished.territory,
        played_at=datetime.fromtimestamp(finished.played_at_ms / 1000, UTC),
        received_at=now,
    )
    new = await state.plays.append([event])
    state.metrics.ingested(new)
    if not new:
        state.metrics.beacon("replayed_end")


async def _read(request: web.Request) -> tuple[str, BeaconKind, int, int]:
    if request.content_length is not None and request.content_length > MAX_BEACON_BYTES:
        raise BadBeacon("beacon too large")
    raw = await request.content.read(MAX_BEACON_BYTES + 1)
    if len(raw) > MAX_BEACON_BYTES:
        raise BadBeacon("beacon too large")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadBeacon("beacon is not JSON") from exc
    if not isinstance(data, dict):
        raise BadBeacon("beacon is not a JSON object")
    token, kind, ms, at = data.get("t"), data.get("k"), data.get("ms", 0), data.get("at", 0)
    if not isinstance(token, str) or not isinstance(kind, str):
        raise BadBeacon("beacon needs a token and a kind")
    try:
        beacon_kind = BeaconKind(kind)
    except ValueError as exc:
        raise BadBeacon("unknown beacon kind") from exc
    if isinstance(ms, bool) or not isinstance(ms, int) or not 0 <= ms <= _MAX_MS:
        raise BadBeacon("ms must be a whole number of milliseconds")
    if isinstance(at, bool) or not isinstance(at, int) or not 0 <= at < 1 << 53:
        raise BadBeacon("at must be a Unix time in milliseconds")
    return token, beacon_kind, ms, at


def _limited(state: WebState) -> web.Response:
    state.metrics.beacon("rate_limited")
    return json_response(
        {"error": "too many beacons"}, status=429,
        **{"Retry-After": str(state.ip_limits.retry_after_s())},
    )
