"""What ``refrain serve`` runs beside the queue: the bots and the web server.

Each component is an async context manager over the open ``App``: entering it
starts the component (connects, binds), leaving it stops it cleanly. Only
configured components run (a bot without a token is not started). Each gets
the app as its narrow port (``core.service.Refrain``) and its own settings.
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
        from bots.discord import discord_component

        discord_token = settings.discord_token.get_secret_value()
        components.append(
            ("discord", lambda app: discord_component(app, discord_token, settings.discord))
        )
    if settings.telegram_token is not None:
        from bots.telegram import telegram_component

        telegram_token = settings.telegram_token.get_secret_value()
        components.append(
            ("telegram", lambda app: telegram_component(app, telegram_token, settings.telegram))
        )
    if settings.web.enabled:
        components.append(("web", web_with_webhooks(settings)))
    return components


def web_with_webhooks(settings: RefrainSettings) -> Component:
    """The web server, with the Telegram webhook mounted when webhook mode is on."""
    from web import web_component

    def component(app: App) -> AbstractAsyncContextManager[None]:
        extra = []
        if settings.telegram_token is not None and settings.telegram.webhook_url:
            from bots.telegram import webhook_routes

            extra = webhook_routes(app, settings.telegram)
        return web_component(app, settings.web, listener_secret(settings), extra,
                             studio=settings.studio)

    return component


def listener_secret(settings: RefrainSettings) -> bytes:
    return settings.listener_key_secret.get_secret_value().encode()
