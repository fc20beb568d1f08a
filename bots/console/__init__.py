"""Local text adapter: the same commands as Discord and Telegram, in a terminal."""

from bots.console.payments import DEMO_PLATFORM, DemoPayments
from bots.console.session import ConsoleSession, console_scope, render_reply

__all__ = ["DEMO_PLATFORM", "ConsoleSession", "DemoPayments", "console_scope", "render_reply"]
