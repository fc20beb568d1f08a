"""Where a Telegram update comes from: scope ids, chat kinds, and ids safe to log."""

from __future__ import annotations

import hashlib

PLATFORM = "telegram"
SCOPE_PREFIX = f"{PLATFORM}:"


def scope_id(chat_id: int) -> str:
    """A Telegram chat is a Refrain scope (a group's policy; a private chat's own)."""
    return f"{SCOPE_PREFIX}{chat_id}"


def chat_of_scope(scope: str) -> int | None:
    """The chat id of a Telegram scope id, ``None`` for other platforms' scopes."""
    if not scope.startswith(SCOPE_PREFIX):
        return None
    try:
        return int(scope[len(SCOPE_PREFIX) :])
    except ValueError:
        return None


def is_group(chat_id: int) -> bool:
    """Groups and supergroups have negative ids; users' private chats positive ones."""
    return chat_id < 0


def redact(identifier: int | str | None) -> str:
    """A stable short digest of a chat or user id: logs never hold them in clear."""
    if identifier is None:
        return "-"
    return hashlib.sha256(f"tg:{identifier}".encode()).hexdigest()[:10]
