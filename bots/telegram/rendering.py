"""Reply → Telegram message: HTML text within Telegram's limits, buttons as an inline keyboard.

Core replies mark titles with ``*…*`` and things to type with backticks;
Telegram's HTML mode is the one whose escaping cannot be broken by a song
title, so the text is escaped first and only then given ``<b>``/``<code>``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bots.telegram.buttons import ButtonStore
from core.chat import Reply, ReplyKind
from core.model import Origin

MAX_MESSAGE_CHARS = 4096
MAX_CAPTION_CHARS = 1024
_CHUNK_CHARS = 3500  # of source text: room for the tags HTML adds
MAX_BUTTON_LABEL = 60

_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*([^*\n]+)\*")

_MARKERS = {
    ReplyKind.DENIED: "✋ ",
    ReplyKind.ERROR: "⚠️ ",
    ReplyKind.QUEUED: "⏳ ",
    ReplyKind.QUESTION: "❓ ",
}


@dataclass(frozen=True)
class Rendered:
    """One message to send: HTML text and, on the last chunk of a reply, its keyboard."""

    html: str
    markup: InlineKeyboardMarkup | None = None


def to_html(text: str) -> str:
    """Core's light markup as Telegram HTML, with everything else escaped."""
    escaped = html.escape(text, quote=False)
    escaped = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escaped)
    return _BOLD.sub(lambda m: f"<b>{m.group(1)}</b>", escaped)


def chunks(text: str, limit: int = _CHUNK_CHARS) -> list[str]:
    """Split a long text (an audit log) on line breaks into pieces Telegram accepts."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # one absurdly long line: cut it
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def label(text: str) -> str:
    return text if len(text) <= MAX_BUTTON_LABEL else text[: MAX_BUTTON_LABEL - 1] + "…"


async def keyboard(
    reply: Reply, store: ButtonStore, chat_id: int, origin: Origin = Origin.BUTTON
) -> InlineKeyboardMarkup | None:
    """Each core button becomes a stored command behind a short ``callback_data``, one per row."""
    if not reply.buttons:
        return None
    rows = [
        [
            InlineKeyboardButton(
                label(b.label), callback_data=await store.put(b.command, chat_id, origin)
            )
        ]
        for b in reply.buttons
    ]
    return InlineKeyboardMarkup(rows)


async def render(reply: Reply, store: ButtonStore, chat_id: int) -> list[Rendered]:
    """The messages one reply becomes (usually one)."""
    text = _MARKERS.get(reply.kind, "") + reply.text
    parts = chunks(text)
    markup = await keyboard(reply, store, chat_id)
    return [
        Rendered(to_html(part), markup if i == len(parts) - 1 else None)
        for i, part in enumerate(parts)
    ]
