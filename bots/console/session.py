"""The console adapter: a local chat with Refrain, no platform or token needed.

It runs exactly the commands Discord and Telegram run, through the same
neutral ``Invocation``/``Reply`` model, so the demo and the tests of every
rule need no platform.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable

from core.chat import Invocation, Reply, ReplyKind

PLATFORM = "console"

Handle = Callable[[Invocation], Awaitable[list[Reply]]]


def console_scope(guild: str) -> str:
    return f"{PLATFORM}:{guild}"


class ConsoleSession:
    """One person typing in one console 'server' (a guild name of their choosing)."""

    _message_ids = itertools.count(1)

    def __init__(
        self,
        handle: Handle,
        user: str,
        guild: str = "demo",
        *,
        moderator: bool = False,
        channel: str = "general",
    ) -> None:
        self._handle = handle
        self.user = user
        self.guild = guild
        self.moderator = moderator
        self.channel = channel
        self._session_tag = f"{guild}:{user}"

    def invocation(self, text: str) -> Invocation:
        message_id = f"{self._session_tag}:{next(self._message_ids)}"
        return Invocation(
            platform=PLATFORM,
            message_id=message_id,
            user_id=self.user,
            user_name=self.user,
            scope_id=console_scope(self.guild),
            channel_id=self.channel,
            text=text,
            is_moderator=self.moderator,
        )

    async def send(self, text: str) -> list[Reply]:
        """Say one line and get Refrain's replies."""
        return await self._handle(self.invocation(text))


def render_reply(reply: Reply) -> str:
    """Plain-text rendering: the text, then the buttons as commands to type."""
    marker = {
        ReplyKind.DENIED: "✋ ",
        ReplyKind.ERROR: "⚠ ",
        ReplyKind.QUEUED: "⏳ ",
        ReplyKind.AUDIO: "🎵 ",
        ReplyKind.QUESTION: "? ",
    }.get(reply.kind, "")
    lines = [marker + reply.text]
    if reply.audio_path is not None:
        lines.append(f"   file: {reply.audio_path}")
    for button in reply.buttons:
        lines.append(f"   [{button.label}] → type: {button.command}")
    return "\n".join(lines)
