"""``refrain serve``'s web component: the web application on ``settings.web.host:port``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from aiohttp import web

from config.studio import StudioSettings
from config.web import WebSettings
from core.ports import PlayLog
from core.service import Refrain
from web.app import create_web_app
from web.logs import ACCESS_LOGGER, JsonAccessLogger, json_handler

log = logging.getLogger("web")


@asynccontextmanager
async def web_component(
    port: Refrain,
    settings: WebSettings,
    listener_secret: bytes,
    extra_routes: Sequence[web.RouteDef] = (),
    *,
    plays: PlayLog | None = None,
    reuse_port: bool = False,
    studio: StudioSettings | None = None,
) -> AsyncIterator[None]:
    """Serve until the block ends; then stop accepting, finish in-flight responses, close.

    ``plays`` overrides the play log (default: the port's), see ``create_web_app``.
    ``reuse_port`` binds with ``SO_REUSEPORT`` so several processes can share the port (the
    kernel spreads connections over them). ``studio``: the studio's settings.
    """
    if settings.json_logs:
        _json_logging()
    application = create_web_app(port, settings, listener_secret, extra_routes, plays=plays,
                                 studio=studio)
    runner = web.AppRunner(
        application,
        access_log_class=JsonAccessLogger,
        access_log=logging.getLogger(ACCESS_LOGGER),
        handle_signals=False,
        shutdown_timeout=10.0,
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.host, settings.port, backlog=1024,
                           reuse_port=reuse_port or None)
        await site.start()
        log.info("web serving", extra={"host": settings.host, "port": settings.port,
                                      "public_url": settings.public_url})
        yield
    finally:
        await runner.cleanup()


def _json_logging() -> None:
    """JSON lines for the web's loggers, whatever the rest of the process logs like."""
    for name in ("web", ACCESS_LOGGER):
        logger = logging.getLogger(name)
        if not any(isinstance(h.formatter, type(json_handler().formatter)) for h in logger.handlers):
            logger.addHandler(json_handler())
        logger.propagate = False
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)
