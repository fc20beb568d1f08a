"""The real discord.py bot against the local fake Discord (tests/fakes/fake_discord.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bots.discord.bot import RefrainBot, ShardedRefrainBot, build_bot
from config.discord import DiscordSettings
from jobs.events import LocalEventBus
from tests.fakes.fake_discord import FakeDiscord
from tests.support.world import ConsoleWorld, console_world

BotRunner = Callable[..., AbstractAsyncContextManager[RefrainBot | ShardedRefrainBot]]


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    monkeypatch.setattr(Route, "BASE", server.rest_base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[ConsoleWorld]:
    async with console_world(tmp_path) as built:
        yield built


@pytest.fixture
def bus() -> LocalEventBus:
    return LocalEventBus()


@asynccontextmanager
async def run_bot(app: Any, fake: FakeDiscord, settings: DiscordSettings | None = None,
                  **options: Any) -> AsyncIterator[RefrainBot | ShardedRefrainBot]:
    """Start the real bot against ``fake``; stop it (and wait) after."""
    bot = build_bot(app, settings or DiscordSettings(), guild_ready_timeout=0.05, **options)
    runner = asyncio.create_task(bot.start("fake-token-not-secret"))
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({runner, ready}, timeout=15,
                                 return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        if runner in done:
            runner.result()
        raise AssertionError("bot did not get ready")
    try:
        yield bot
    finally:
        if bot.adapter.tracker is not None:
            await bot.adapter.tracker.idle()
        await bot.close()
        await asyncio.wait_for(runner, 10)


@pytest.fixture
def bot_runner(fake: FakeDiscord) -> BotRunner:
    def runner(app: Any, settings: DiscordSettings | None = None, **options: Any) -> Any:
        return run_bot(app, fake, settings, **options)

    return runner


@pytest.fixture(autouse=True)
def _quiet_discord_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bots.discord")
