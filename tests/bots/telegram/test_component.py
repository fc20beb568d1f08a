"""``refrain serve``'s Telegram component: runs with a token, survives a rejected one."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from pydantic import SecretStr

from bots.telegram import telegram_component
from refrain.app import App
from tests.bots.telegram.conftest import settings_for
from tests.bots.telegram.helpers import Person
from tests.fakes.fake_telegram import FakeTelegram
from tests.support.world import ConsoleWorld


def configured(app: App, fake: FakeTelegram, token: str) -> App:
    settings = app.settings.model_copy(
        update={"telegram_token": SecretStr(token), "telegram": settings_for(fake)}
    )
    return dataclasses.replace(app, settings=settings)


async def test_component_serves_while_entered(world: ConsoleWorld, fake: FakeTelegram) -> None:
    app = configured(world.app, fake, fake.token)
    async with telegram_component(app, fake.token, app.settings.telegram):
        reply = await Person(fake, 501, "Fay").say("/styles")
        assert "Styles" in reply.text
    assert fake.of("deleteWebhook")  # polling mode clears any webhook first


async def test_rejected_token_is_logged_not_fatal(
    world: ConsoleWorld, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    app = configured(world.app, fake, "999:WRONG")
    with caplog.at_level(logging.ERROR):
        async with telegram_component(app, "999:WRONG", app.settings.telegram):
            pass
    assert "rejected REFRAIN_TELEGRAM_TOKEN" in caplog.text
    assert "999:WRONG" not in caplog.text
