"""Handing a finished clip to a Telegram chat: the requester's copy, or the same file again.

The render job made the requester's own copy (own watermark token, MP3 with
tags) before it charged them; it is uploaded once with ``sendAudio`` and
marked handed over (a bot that was down sends the copies still waiting when
it starts). Telegram's
``file_id`` for it is remembered on the delivery, so the requester's re-sends
and inline shares of that copy never upload again (each is logged as one
more usage of the same delivery, ``app.deliveries.resend``). Anyone else
gets a delivery of their own. Files Telegram will not take (> 50 MB) go out
as the share page link instead. A ``Forbidden`` (the user blocked the bot)
ends here: the request is complete, the clip is kept, nothing is retried.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from pathlib import Path

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)

from bots.telegram.chats import PLATFORM, chat_of_scope, redact
from bots.telegram.parts import Parts
from bots.telegram.rendering import MAX_CAPTION_CHARS
from core.deliveries import delivery_problem
from core.media import EncodeFormat
from core.model import Delivery, Origin, User

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class AudioCard:
    """What travels with the audio: Telegram's title/performer fields and the caption."""

    title: str
    performer: str
    caption_html: str
    duration_s: float
    filename: str


def caption(title: str, credits: str, share_url: str | None = None) -> str:
    text = f"<b>{html.escape(title)}</b>\n{html.escape(credits)}"
    if share_url:
        text += f'\n<a href="{html.escape(share_url)}">share page</a>'
    return text if len(text) <= MAX_CAPTION_CHARS else f"<b>{html.escape(title[:200])}</b>"


class Courier:
    def __init__(self, parts: Parts) -> None:
        self._parts = parts
        self._delivered_requests: set[str] = set()

    # -- a finished request ---------------------------------------------------------------
    async def deliver_request(
        self, request_id: str, clip_id: str, *, origin: Origin = Origin.COMMAND,
        reply_to: int | None = None,
    ) -> bool:
        """Send a request's clip to the chat it was asked in; ``False`` when it is not ours.

        The copy was made (and charged) by the render job; this uploads it
        once. An event that arrives twice finds the copy handed over already.
        """
        request = await self._parts.app.requests.request(request_id)
        if request is None:
            return False
        chat_id = chat_of_scope(request.scope_id)
        if chat_id is None:
            return False  # another platform's request
        if request_id in self._delivered_requests:
            return True
        self._delivered_requests.add(request_id)
        deliveries = self._parts.app.deliveries
        try:
            delivered = await deliveries.handover(request)
        except Exception as exc:  # not deliverable any more, or a fault: words, never silence
            await self._say(chat_id, f"⚠️ {html.escape(delivery_problem(exc))}", reply_to)
            return True
        if delivered.delivery.handed_over_at is not None:
            return True  # the event came twice (a relay retry, a restart): one clip per request
        card = AudioCard(
            delivered.title, delivered.performer,
            caption(delivered.title, delivered.credits, delivered.share_url),
            delivered.duration_s, delivered.filename,
        )
        handed = await self.upload(chat_id, delivered.delivery, delivered.path, card,
                                   delivered.share_url, reply_to)
        if handed is not None:
            await deliveries.handed_over(delivered.delivery.id)
        return True

    # -- a shared clip (deep link) --------------------------------------------------------
    async def open_shared(self, share_id: str, chat_id: int, user: User, reply_to: int | None) -> None:
        """``/start clip_<share id>``: the clip behind a share link, in this private chat."""
        deliveries = self._parts.app.deliveries
        shared = await deliveries.by_share_id(share_id)
        if shared is None:
            await self._say(chat_id, "⚠️ That clip link is unknown or has expired. "
                            "Ask whoever shared it for a new one, or make your own with /cover.",
                            reply_to)
            return
        own = [
            d for d in await deliveries.copies(shared.clip_id)
            if d.platform == PLATFORM and d.recipient_user_id == user.id and d.platform_file_id
        ]
        deliveries = self._parts.app.deliveries
        try:
            if own:
                mine = next((d for d in own if d.id == shared.id), own[-1])
                await self.resend(chat_id, mine, user, Origin.SHARED_LINK, reply_to)
                return
            delivered = await deliveries.deliver(
                shared.clip_id,
                recipient_user_id=user.id,
                platform=PLATFORM,
                chat_id=str(chat_id),
                origin=Origin.SHARED_LINK,
                fmt=EncodeFormat.MP3,
            )
        except Exception as exc:  # not deliverable any more, or a fault: words, never silence
            await self._say(chat_id, f"⚠️ {html.escape(delivery_problem(exc))}", reply_to)
            return
        card = AudioCard(
            delivered.title, delivered.performer,
            caption(delivered.title, delivered.credits, delivered.share_url),
            delivered.duration_s, delivered.filename,
        )
        await self.upload(chat_id, delivered.delivery, delivered.path, card, delivered.share_url,
                          reply_to)

    async def resend(
        self, chat_id: int, delivery: Delivery, user: User, origin: Origin, reply_to: int | None
    ) -> Message | None:
        """The same copy again by its ``file_id``: no upload, one more usage of that delivery."""
        assert delivery.platform_file_id
        deliveries = self._parts.app.deliveries
        await deliveries.resend(
            delivery.id, platform=PLATFORM, chat_id=str(chat_id), recipient_user_id=user.id,
            origin=origin,
        )
        credits = await deliveries.credits(delivery.clip_id)
        file_id = delivery.platform_file_id
        text = caption(credits.title, credits.line)
        markup = await self.clip_keyboard(delivery.clip_id, chat_id, credits.song_title)
        bot = self._parts.bot
        return await self._parts.outbox.call(
            chat_id,
            "sendAudio (file_id)",
            lambda: bot.send_audio(
                chat_id, audio=file_id, caption=text, parse_mode="HTML", reply_markup=markup,
                reply_parameters=_reply(reply_to),
            ),
        )

    # -- the upload -----------------------------------------------------------------------
    async def upload(
        self,
        chat_id: int,
        delivery: Delivery,
        path: Path,
        card: AudioCard,
        share_url: str,
        reply_to: int | None,
    ) -> Message | None:
        if delivery.size_bytes > self._parts.settings.max_upload_bytes:
            mb = delivery.size_bytes / 1e6
            return await self._say(
                chat_id,
                f"🎵 <b>{html.escape(card.title)}</b> is ready, but at {mb:.0f} MB it is too big "
                f"for Telegram. Listen and download it here: {html.escape(share_url)}",
                reply_to,
            )
        markup = await self.clip_keyboard(delivery.clip_id, chat_id, None)
        bot = self._parts.bot
        sent = await self._parts.outbox.call(
            chat_id,
            "sendAudio",
            lambda: bot.send_audio(
                chat_id,
                audio=path,
                filename=card.filename,
                title=card.title,
                performer=card.performer,
                duration=round(card.duration_s),
                caption=card.caption_html,
                parse_mode="HTML",
                reply_markup=markup,
                reply_parameters=_reply(reply_to),
            ),
        )
        if sent is None:
            log.warning("clip of delivery %s not sent to chat %s; it stays available (/status)",
                        delivery.id, redact(chat_id))
            return None
        if sent.audio is not None:
            await self._parts.app.deliveries.remember_file_id(delivery.id, sent.audio.file_id)
        return sent

    async def clip_keyboard(
        self, clip_id: str, chat_id: int, song_title: str | None
    ) -> InlineKeyboardMarkup | None:
        """Other style · Regenerate · Share: commands in the shared grammar, behind short ids."""
        remakes = await self._parts.app.remakes.of_clip(clip_id)
        if remakes is None:
            return None
        buttons = self._parts.buttons
        rows = [
            [
                InlineKeyboardButton(
                    "🎨 Other style",
                    callback_data=await buttons.put(remakes.other_style_text, chat_id),
                ),
                InlineKeyboardButton(
                    "🔁 Regenerate",
                    callback_data=await buttons.put(remakes.regenerate_text, chat_id),
                ),
            ],
            [
                InlineKeyboardButton("↗️ Share", switch_inline_query=song_title or remakes.song_title),
                # to this chat's moderators (the core's report queue: `reports`, `resolve`)
                InlineKeyboardButton(
                    "⚑ Report", callback_data=await buttons.put(f"report {clip_id}", chat_id)
                ),
            ],
        ]
        return InlineKeyboardMarkup(rows)

    async def _say(self, chat_id: int, text_html: str, reply_to: int | None) -> Message | None:
        bot = self._parts.bot
        return await self._parts.outbox.call(
            chat_id,
            "sendMessage",
            lambda: bot.send_message(
                chat_id, text_html, parse_mode="HTML", reply_parameters=_reply(reply_to)
            ),
        )


def _reply(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id=message_id, allow_sending_without_reply=True)
