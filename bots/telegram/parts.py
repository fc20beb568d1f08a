"""What the Telegram adapter's modules share: the app, the bot, the outbox and small stores."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot

from bots.telegram.admins import AdminCache
from bots.telegram.buttons import ButtonStore
from bots.telegram.outbox import Outbox
from bots.telegram.plain_text import PlainTextSwitch
from config.telegram import TelegramSettings
from core.service import Refrain


@dataclass
class Parts:
    app: Refrain
    settings: TelegramSettings
    bot: Bot
    outbox: Outbox
    buttons: ButtonStore
    admins: AdminCache
    plain_text: PlainTextSwitch

    @property
    def username(self) -> str | None:
        """The bot's @username, known once the bot is initialised (getMe)."""
        try:
            return self.bot.username
        except RuntimeError:  # not initialised yet
            return None

    @property
    def privacy_mode(self) -> bool:
        """Telegram's privacy mode: in groups the bot sees only commands and replies to it."""
        try:
            return not self.bot.can_read_all_group_messages
        except RuntimeError:
            return True

    def deep_link(self, payload: str) -> str | None:
        return f"https://t.me/{self.username}?start={payload}" if self.username else None
