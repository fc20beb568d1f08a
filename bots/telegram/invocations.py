"""Telegram messages → ``Invocation``: who, where, what text, and the idempotency key.

The key is the chat id and message id (unique per chat), or the chat, the
button and the presser for a button, so a webhook re-delivery or a double
tap never makes a second request.
"""

from __future__ import annotations

import re
from pathlib import Path

from telegram import Chat, Message, User

from bots.telegram.chats import PLATFORM, scope_id
from core.chat import Invocation
from core.model import Origin
from core.requests import Requester

_COMMAND = re.compile(r"^/(?P<verb>[A-Za-z0-9_]+)(?:@(?P<bot>[A-Za-z0-9_]+))?(?=\s|$)")


def display_name(user: User) -> str:
    name = user.full_name.strip() or (user.username or "")
    return name[:64] or f"user {user.id}"


def message_key(chat_id: int, message_id: int) -> str:
    return f"{chat_id}:{message_id}"


def button_key(chat_id: int, data: str, user_id: int) -> str:
    return f"{chat_id}:button:{data}:{user_id}"


def command_of(text: str) -> tuple[str, str | None] | None:
    """``(verb, bot)`` of a ``/verb@bot`` message, ``None`` when it is not a command."""
    found = _COMMAND.match(text)
    if found is None:
        return None
    return found.group("verb").lower(), found.group("bot")


def for_another_bot(text: str, username: str | None) -> bool:
    """``/cover@OtherBot`` in a group is not ours to answer."""
    parsed = command_of(text)
    if parsed is None or parsed[1] is None or username is None:
        return False
    return parsed[1].lower() != username.lower()


def strip_mention(text: str, username: str | None) -> str | None:
    """The text after a leading ``@Bot`` mention, ``None`` when the message does not start with one."""
    if not username:
        return None
    stripped = text.lstrip()
    mention = f"@{username}"
    if stripped[: len(mention)].lower() == mention.lower():
        return stripped[len(mention) :].lstrip(" ,:")
    return None


def invocation(
    chat: Chat,
    user: User,
    text: str,
    key: str,
    *,
    is_moderator: bool,
    attachment: Path | None = None,
    origin: Origin = Origin.COMMAND,
) -> Invocation:
    return Invocation(
        platform=PLATFORM,
        message_id=key,
        user_id=str(user.id),
        user_name=display_name(user),
        scope_id=scope_id(chat.id),
        channel_id=str(chat.id),
        text=text,
        is_moderator=is_moderator,
        locale=user.language_code,
        attachment=attachment,
        origin=origin,
    )


def requester(chat_id: int, user: User, key: str = "", *, is_moderator: bool = False) -> Requester:
    return Requester(
        platform=PLATFORM,
        platform_user_id=str(user.id),
        display_name=display_name(user),
        scope_id=scope_id(chat_id),
        channel_id=str(chat_id),
        message_id=key,
        is_moderator=is_moderator,
    )


def is_reply_to(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot_id
