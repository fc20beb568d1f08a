"""What ``refrain serve`` runs beside the queue: the bots and the web server.

Each component is an async context manager over the open ``App``: entering it
starts the component (connects, binds), leaving it stops it cleanly. Only
configured components run (a bot without a token is not started).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from config import RefrainSettings
from refrain.app import App

log = logging.getLogger(__name__)

Component = Callable[[App], AbstractAsyncContextManager[None]]


def serve_components(settings: RefrainSettings) -> list[tuple[str, Component]]:
    """(name, component) for everything this deployment's settings ask ``serve`` to run."""
    components: list[tuple[str, Component]] = []
    # imports inside the branches: a deployment without a bot never imports its library
    if settings.discord_token is not None:
        from bots.discord.component import discord_component

        components.append(("discord", discord_component))
    if settings.telegram_token is not None:
        from bots.telegram import telegram_component

        components.append(("telegram", telegram_component))
    if settings.web.enabled:
        components.append(("web", _web_with_webhooks(settings)))
    return components


def _web_with_webhooks(settings: RefrainSettings) -> Component:
    """The web server, with the Telegram webhook mounted when webhook mode is on."""
    from web.component import web_component

    def component(app: App) -> AbstractAsyncContextManager[None]:
        extra = []
        if settings.telegram_token is not None and settings.telegram.webhook_url:
            from bots.telegram import webhook_routes

            extra = webhook_routes(app)
        return web_component(app, extra)

    return component
