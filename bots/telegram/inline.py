"""Inline mode: ``@RefrainBot golden`` in any chat lists clips to share there.

Results are the user's own clips first, then popular licensed ones
(``app.deliveries.shareable``), a page at a time (``next_offset``). A clip
whose Telegram copy this user already has is offered as that very audio
(cached ``file_id``: no upload, and choosing it is logged as a usage of that
delivery, origin INLINE, through ``chosen_inline_result`` — inline feedback
must be enabled in BotFather). Any other clip is offered as a link that
opens it in a private chat with the bot, where the user gets a copy of
their own. Answers are personal and cached only briefly.
"""

from __future__ import annotations

import html
import logging

from telegram import (
    ChosenInlineResult,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResult,
    InlineQueryResultArticle,
    InlineQueryResultCachedAudio,
    InlineQueryResultsButton,
    InputTextMessageContent,
)

from bots.telegram.chats import PLATFORM, redact
from bots.telegram.delivery import caption
from bots.telegram.invocations import requester
from bots.telegram.parts import Parts
from core.deliveries import NotDeliverable, ShareableClip
from core.model import Origin

log = logging.getLogger(__name__)

MAX_RESULTS = 50  # Telegram's limit per answer
MAX_OFFSET = 1000
DELIVERY_PREFIX = "d:"
CLIP_PREFIX = "c:"
SHARE_PAYLOAD = "clip_"


def parse_offset(raw: str) -> int:
    """Telegram echoes our ``next_offset``; anything else (forged, garbled) starts over."""
    return int(raw) if raw.isdigit() and int(raw) <= MAX_OFFSET else 0


class InlineShares:
    def __init__(self, parts: Parts) -> None:
        self._parts = parts

    async def answer(self, query: InlineQuery) -> None:
        parts = self._parts
        user = await parts.app.requests.user_for(requester(query.from_user.id, query.from_user))
        page = min(parts.settings.inline_page_size, MAX_RESULTS)
        offset = parse_offset(query.offset)
        text = query.query.strip()[:100]
        clips = await parts.app.deliveries.shareable(user.id, text, limit=page + 1, offset=offset)
        more = len(clips) > page
        results: list[InlineQueryResult] = []
        for clip in clips[:page]:
            result = await self._result(clip)
            if result is not None:
                results.append(result)
        button = None
        if offset == 0 and not results:
            button = InlineQueryResultsButton(text="Make a cover first", start_parameter="inline")
        await parts.outbox.call(
            None,
            "answerInlineQuery",
            lambda: query.answer(
                results,
                cache_time=parts.settings.inline_cache_s,
                is_personal=True,
                next_offset=str(offset + page) if more else "",
                button=button,
            ),
        )

    async def _result(self, clip: ShareableClip) -> InlineQueryResult | None:
        own = clip.delivery
        if own is not None and own.platform == PLATFORM and own.platform_file_id:
            return InlineQueryResultCachedAudio(
                id=DELIVERY_PREFIX + own.id,
                audio_file_id=own.platform_file_id,
                caption=caption(clip.title, clip.credits),
                parse_mode="HTML",
            )
        share_id = own.share_id if own is not None else await self._any_share_id(clip.clip_id)
        link = self._parts.deep_link(SHARE_PAYLOAD + share_id) if share_id else None
        if link is None:
            return None
        return InlineQueryResultArticle(
            id=CLIP_PREFIX + clip.clip_id,
            title=clip.title,
            description=f"{clip.performer} · {round(clip.duration_s)} s",
            input_message_content=InputTextMessageContent(
                f"🎵 <b>{html.escape(clip.title)}</b>\n{html.escape(clip.credits)}",
                parse_mode="HTML",
            ),
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("🎧 Listen", url=link)]]),
        )

    async def _any_share_id(self, clip_id: str) -> str | None:
        deliveries = await self._parts.app.deliveries.copies(clip_id)
        return deliveries[0].share_id if deliveries else None

    async def chosen(self, result: ChosenInlineResult) -> None:
        """A user sent one of our results: a cached audio is a usage of that delivery."""
        if not result.result_id.startswith(DELIVERY_PREFIX):
            return  # a link: nothing was delivered yet
        delivery_id = result.result_id[len(DELIVERY_PREFIX) :]
        parts = self._parts
        user = await parts.app.requests.user_for(requester(result.from_user.id, result.from_user))
        delivery = await parts.app.deliveries.delivery(delivery_id)
        if delivery is None or delivery.recipient_user_id != user.id:
            log.warning("chosen inline result names a delivery not of user %s",
                        redact(result.from_user.id))
            return
        try:
            await parts.app.deliveries.resend(
                delivery_id, platform=PLATFORM, chat_id=None, recipient_user_id=user.id,
                origin=Origin.INLINE,
            )
        except NotDeliverable as exc:
            log.info("inline share of a clip no longer deliverable: %s", exc.user_message)
