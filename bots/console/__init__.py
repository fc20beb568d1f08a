"""Local text adapter: the same commands as Discord and Telegram, in a terminal."""

from bots.console.session import ConsoleSession, console_scope, render_reply

__all__ = ["ConsoleSession", "console_scope", "render_reply"]
