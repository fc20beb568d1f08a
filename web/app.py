"""The aiohttp application: routes, typed state, and the middleware every response passes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence

from aiohttp import web
from aiohttp.typedefs import Handler

from config.studio import StudioSettings
from config.web import WebSettings
from core.ids import new_id
from core.links import LinkSigner
from core.ports import JobEventKind, PlayLog
from core.service import Refrain
from web.beacons import beacon_handler
from web.clientip import ClientAddress
from web.clips import clip_handler
from web.logs import CLIENT_IP
from web.metrics import WebMetrics
from web.ops import StaticFiles, healthz_handler, home_handler, metrics_handler
from web.playrules import BeaconRules
from web.ratelimit import RateLimiter
from web.resolve import SharedClips
from web.responses import message, not_found
from web.share import share_page_handler
from web.state import STATE, WebState
from web.studio import mount_studio, studio_web

log = logging.getLogger("web")

_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; media-src 'self'; "
        "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def create_web_app(
    port: Refrain,
    settings: WebSettings,
    listener_secret: bytes,
    extra_routes: Sequence[web.RouteDef] = (),
    *,
    plays: PlayLog | None = None,
    studio: StudioSettings | None = None,
) -> web.Application:
    """The web application over Refrain's use cases.

    Args:
        port: the use cases (deliveries, shared copies, events, clock, health).
        settings: the web's own settings.
        listener_secret: the HMAC key turning listeners into anonymous keys.
        extra_routes: mounted as they are (the Telegram webhook).
        plays: where beacons store play events (default: the port's play log).
        studio: the studio's settings (default: the defaults); ``enabled=False`` leaves it out.
    """
    metrics = WebMetrics(port.requests.counts)
    shared = SharedClips(port.shares, ttl_s=settings.page_cache_ttl_s)
    metrics.cache = shared.stats
    state = WebState(
        port=port,
        settings=settings,
        signer=LinkSigner(
            settings.link_secret.get_secret_value().encode(), settings.public_url, settings.link_ttl_s
        ),
        shared=shared,
        plays=plays if plays is not None else port.plays,
        metrics=metrics,
        clients=ClientAddress(settings.trusted_proxies),
        ip_limits=RateLimiter(settings.beacon_rate_per_ip, settings.beacon_burst_per_ip,
                              max_entries=settings.rate_limit_entries),
        listener_limits=RateLimiter(settings.beacon_rate_per_listener,
                                    settings.beacon_burst_per_listener,
                                    max_entries=settings.rate_limit_entries),
        rules=BeaconRules(
            slack_ms=settings.beacon_slack_ms,
            max_page_age_ms=settings.beacon_max_page_age_s * 1000,
            max_rounds=settings.beacon_max_rounds,
            max_clock_skew_ms=settings.beacon_max_clock_skew_s * 1000,
        ),
        listener_secret=listener_secret,
        clock=port.clock,
    )
    if state.plays is None:
        log.warning("no play log is configured: share pages work, but plays are not counted")
    application = web.Application(
        middlewares=[_observe],
        client_max_size=64 * 1024,
        handler_args={"max_line_size": settings.max_field_size,
                      "max_field_size": settings.max_field_size},
    )
    application[STATE] = state
    static = StaticFiles()
    application.add_routes([
        web.get("/", home_handler),
        web.get("/s/{share_id}", share_page_handler),
        web.get("/c/{name}", clip_handler),
        web.post("/b", beacon_handler),
        web.get("/static/{name}", static.handler),
        web.get("/healthz", healthz_handler),
        web.get("/metrics", metrics_handler),
        *extra_routes,
    ])
    studio = studio or StudioSettings()
    if studio.enabled:
        mount_studio(application, studio_web(
            port.studio, studio, settings.public_url, settings.link_secret.get_secret_value().encode(),
            settings.rate_limit_entries,
        ))
    application.on_response_prepare.append(_security_headers)
    application.cleanup_ctx.append(_watch_renders)
    return application


@web.middleware
async def _observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Resolve the client address, count and time the request, turn crashes into an error id."""
    state = request.app[STATE]
    request[CLIENT_IP] = state.clients.of(request.remote, request.headers.get("X-Forwarded-For"))
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPNotFound:
        status = 404
        return not_found(state)
    except web.HTTPException as exc:
        status = exc.status
        raise
    except Exception:
        error_id = new_id()[-8:]
        log.exception("unhandled error answering %s %s", request.method, request.path,
                      extra={"error_id": error_id})
        return message(
            state, 500, "Something went wrong on our side",
            f"Please try again in a moment. If it keeps happening, quote error id {error_id} "
            "to a moderator.",
        )
    finally:
        info = request.match_info
        route = info.route.resource.canonical if info.route.resource is not None else "unmatched"
        state.metrics.observe_http(route, request.method, status, time.perf_counter() - started)


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in _SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


async def _watch_renders(application: web.Application) -> AsyncIterator[None]:
    """Feed the render-seconds histogram from job events (first progress → delivered)."""
    state = application[STATE]
    events = state.port.events
    subscribe = getattr(events, "subscribe", None)
    if subscribe is None:
        yield
        return
    task = asyncio.create_task(_follow(state, subscribe), name="web-render-metrics")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _follow(state: WebState, subscribe: object) -> None:
    started: dict[str, float] = {}
    async with subscribe() as queue:  # type: ignore[operator]
        while True:
            event = await queue.get()
            if event.kind is JobEventKind.PROGRESS:
                started.setdefault(event.request_id, time.monotonic())
                if len(started) > 10_000:  # renders whose end we never saw
                    started.pop(next(iter(started)))
            elif event.kind is JobEventKind.DELIVERED:
                began = started.pop(event.request_id, None)
                if began is not None:
                    state.metrics.render_seconds.observe(time.monotonic() - began)
            else:
                started.pop(event.request_id, None)
