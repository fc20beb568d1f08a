"""The Telegram adapter, on python-telegram-bot.

Updates become ``core.chat.messages.Invocation`` values for the one
``ChatHandler``; replies come back as HTML messages with inline keyboards.
The adapter holds no business rule: it reads input, renders replies, keeps
within Telegram's flood limits and hands clips over through
``app.deliveries``.
"""

import os

# python-telegram-bot 22 warns whenever an int time period (RetryAfter.retry_after…) is read
# and switches to timedelta with PTB_TIMEDELTA; we opt in to the future behaviour so no
# deprecation warning fires inside the library when a 429 arrives.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from bots.telegram.application import TelegramBot, build_bot
from bots.telegram.component import telegram_component
from bots.telegram.webhook import WebhookInbox, inbox_for, webhook_routes

__all__ = [
    "TelegramBot",
    "WebhookInbox",
    "build_bot",
    "inbox_for",
    "telegram_component",
    "webhook_routes",
]
