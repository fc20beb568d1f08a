"""The Telegram adapter (owner: telegram). The token itself is ``RefrainSettings.telegram_token``."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class TelegramSettings(BaseModel):
    webhook_url: str | None = Field(
        default=None, description="receive updates by webhook at this public URL (default: polling)"
    )
    webhook_secret: SecretStr | None = Field(
        default=None, description="secret token Telegram sends in X-Telegram-Bot-Api-Secret-Token"
    )
