"""The real python-telegram-bot Application against the local fake Bot API (tests/fakes/fake_telegram.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

import bots.telegram  # noqa: F401  (sets PTB_TIMEDELTA before telegram is imported anywhere)
from bots.telegram.application import TelegramBot
from config.telegram import TelegramSettings
from refrain.app import App
from tests.fakes.fake_telegram import FakeTelegram
from tests.support.world import ConsoleWorld, console_world


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[ConsoleWorld]:
    async with console_world(tmp_path) as built:
        yield built


def settings_for(fake: FakeTelegram, **overrides: Any) -> TelegramSettings:
    values: dict[str, Any] = {
        "api_base_url": fake.base_url,
        "api_file_url": fake.base_file_url,
        "poll_timeout_s": 1,
        "edit_interval_s": 0.2,
        "network_retries": 2,
    }
    values.update(overrides)
    return TelegramSettings(**values)


@asynccontextmanager
async def run_bot(app: App, fake: FakeTelegram, **overrides: Any) -> AsyncIterator[TelegramBot]:
    bot = TelegramBot(app, fake.token, settings_for(fake, **overrides))
    async with bot.running():
        yield bot
