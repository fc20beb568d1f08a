"""``refrain serve`` runs the Telegram bot as a component when ``REFRAIN_TELEGRAM_TOKEN`` is set."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.error import InvalidToken, NetworkError

from bots.telegram.application import build_bot
from config.telegram import TelegramSettings
from core.service import Refrain

log = logging.getLogger(__name__)


@asynccontextmanager
async def telegram_component(
    app: Refrain, token: str, settings: TelegramSettings
) -> AsyncIterator[None]:
    """Run the bot while ``serve`` runs; a rejected token or an unreachable API is logged,
    not fatal, so the web server and the other bots keep serving."""
    bot = build_bot(app, token, settings)
    try:
        running = bot.running()
        await running.__aenter__()
    except InvalidToken:
        log.error("Telegram rejected REFRAIN_TELEGRAM_TOKEN; the Telegram bot is not running")
        yield
        return
    except NetworkError as exc:
        log.error("Telegram is unreachable (%s); the Telegram bot is not running", exc)
        yield
        return
    try:
        yield
    finally:
        await running.__aexit__(None, None, None)
