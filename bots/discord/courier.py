"""Getting a message to the person who asked, whatever Discord allows right now.

The first choice is the interaction's own message (edited in place). Its
token dies after 15 minutes, a guild can remove the bot, a channel can deny
Attach Files or Send Messages: then the result goes to the channel as a new
message mentioning the requester, and failing that by DM. A file that cannot
be attached (too big, not allowed) becomes its share link. Rate limits (429)
are waited out by discord.py itself (it honours ``retry_after``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord

from bots.discord.render import Rendered
from core.model import Origin

log = logging.getLogger(__name__)

DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024


@dataclass
class Target:
    """Where one request's messages go; made when the request is queued."""

    request_id: str
    headline: str
    origin: Origin
    user_id: int
    channel_id: int | None
    guild_id: int | None
    upload_limit: int = DEFAULT_UPLOAD_LIMIT
    can_attach: bool = True
    can_embed: bool = True
    interaction: discord.Interaction[Any] | None = None
    message: discord.Message | discord.WebhookMessage | None = None
    received: float = field(default_factory=time.monotonic)
    token_dead: bool = False


@dataclass(frozen=True)
class Attachment:
    path: Path
    filename: str

    def file(self) -> discord.File:
        return discord.File(self.path, filename=self.filename)


class Courier:
    """Edits and sends for a ``Target`` with the fallbacks above."""

    def __init__(self, client: discord.Client, token_lifetime_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._lifetime = token_lifetime_s
        self._clock = clock

    def token_alive(self, target: Target) -> bool:
        return (
            target.interaction is not None
            and not target.token_dead
            and self._clock() - target.received < self._lifetime
        )

    def bot_left(self, target: Target) -> bool:
        return target.guild_id is not None and self._client.get_guild(target.guild_id) is None

    async def edit(self, target: Target, content: str) -> bool:
        """Progress: edit the status message if there still is one; never posts anew."""
        try:
            if self.token_alive(target):
                assert target.interaction is not None
                await target.interaction.edit_original_response(content=content)
                return True
            if target.message is not None and not self.bot_left(target):
                target.message = await target.message.edit(content=content)
                return True
        except discord.HTTPException as exc:
            self._note_failure(target, exc)
        return False

    async def final(self, target: Target, rendered: Rendered,
                    attachment: Attachment | None = None,
                    as_link: Callable[[str], Rendered] | None = None) -> str:
        """The result, wherever it can go; returns where it went ("original", "channel", "dm", "lost").

        ``as_link(reason)`` renders the same result with a link instead of the
        file, used when an upload is refused.
        """
        if self.token_alive(target) and not self.bot_left(target):
            assert target.interaction is not None
            sent = await self._try(target, rendered, attachment, as_link, self._edit_original)
            if sent:
                return "original"
        if target.channel_id is not None and not self.bot_left(target):
            sent = await self._try(target, self._mention(target, rendered), attachment, as_link,
                                   self._to_channel)
            if sent:
                return "channel"
        sent = await self._try(target, self._dm_note(target, rendered), attachment, as_link,
                               self._to_dm)
        if sent:
            return "dm"
        log.error("request %s: result could not be sent anywhere (kept for /status)",
                  target.request_id)
        return "lost"

    # ------------------------------------------------------------------ channels

    async def _try(self, target: Target, rendered: Rendered, attachment: Attachment | None,
                   as_link: Callable[[str], Rendered] | None, send: Any) -> bool:
        try:
            await send(target, rendered, attachment)
            return True
        except discord.Forbidden as exc:
            self._note_failure(target, exc)
            if attachment is None or as_link is None:
                return False
            log.warning("request %s: upload refused (%s); sending the link", target.request_id,
                        exc.text)
            link = as_link("I'm not allowed to attach files here, so here is a link.")
            try:
                await send(target, self._same_lead(rendered, link), None)
                return True
            except discord.HTTPException as again:
                self._note_failure(target, again)
                return False
        except discord.HTTPException as exc:
            self._note_failure(target, exc)
            return False

    async def _edit_original(self, target: Target, rendered: Rendered,
                             attachment: Attachment | None) -> None:
        assert target.interaction is not None
        await target.interaction.edit_original_response(
            content=rendered.content,
            embed=rendered.embed,
            view=rendered.view,
            attachments=[attachment.file()] if attachment else [],
        )

    async def _to_channel(self, target: Target, rendered: Rendered,
                          attachment: Attachment | None) -> None:
        assert target.channel_id is not None
        channel = self._client.get_partial_messageable(target.channel_id, guild_id=target.guild_id)
        target.message = await self._send(channel, rendered, attachment)

    async def _to_dm(self, target: Target, rendered: Rendered,
                     attachment: Attachment | None) -> None:
        user = self._client.get_user(target.user_id) or await self._client.fetch_user(target.user_id)
        target.message = await self._send(user, rendered, attachment)

    @staticmethod
    async def _send(where: discord.abc.Messageable, rendered: Rendered,
                    attachment: Attachment | None) -> discord.Message:
        kwargs: dict[str, Any] = {"content": rendered.content}
        if rendered.embed is not None:
            kwargs["embed"] = rendered.embed
        if rendered.view is not None:
            kwargs["view"] = rendered.view
        if attachment is not None:
            kwargs["file"] = attachment.file()
        return await where.send(**kwargs)

    # ------------------------------------------------------------------ wording

    @staticmethod
    def _mention(target: Target, rendered: Rendered) -> Rendered:
        return Rendered(f"<@{target.user_id}> " + rendered.content, rendered.view,
                        rendered.embed)

    def _dm_note(self, target: Target, rendered: Rendered) -> Rendered:
        why = (
            "I'm no longer on the server where you asked for this"
            if self.bot_left(target)
            else "I couldn't post in the channel where you asked for this"
        )
        return Rendered(f"{why}, so here it is by DM.\n" + rendered.content, rendered.view,
                        rendered.embed)

    @staticmethod
    def _same_lead(sent: Rendered, link: Rendered) -> Rendered:
        lead = sent.content.split("🎵", 1)[0] if "🎵" in sent.content else ""
        return Rendered(lead + link.content, link.view, link.embed)

    def _note_failure(self, target: Target, exc: discord.HTTPException) -> None:
        if exc.status in (401, 404) or getattr(exc, "code", 0) in (10015, 10062, 50027):
            target.token_dead = True
        log.warning("request %s: Discord answered %s (%s)", target.request_id, exc.status,
                    exc.text[:200] if exc.text else "")
