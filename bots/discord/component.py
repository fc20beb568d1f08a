"""``refrain serve``'s Discord component: runs the bot while the app is open."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bots.discord.bot import build_bot
from config.discord import DiscordSettings
from core.service import Refrain

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 60.0


@asynccontextmanager
async def discord_component(
    app: Refrain, token: str, settings: DiscordSettings
) -> AsyncIterator[None]:
    """Log in, connect and serve until the context closes; a bad token fails loudly at start."""
    bot = build_bot(app, settings)
    runner = asyncio.create_task(bot.start(token), name="refrain-discord")
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({runner, ready}, timeout=READY_TIMEOUT_S,
                                 return_when=asyncio.FIRST_COMPLETED)
    if runner in done:
        ready.cancel()
        runner.result()  # raises LoginFailure & co. with discord.py's message
        raise RuntimeError("the Discord bot stopped while starting")
    if ready not in done:
        log.warning("Discord: not ready after %.0f s; still trying in the background",
                    READY_TIMEOUT_S)
    else:
        log.info("Discord bot connected as %s", bot.user)
    try:
        yield
    finally:
        ready.cancel()
        await bot.close()
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await runner
