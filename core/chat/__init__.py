"""The chat: the neutral message model (``Invocation``/``Reply``) and the one handler
every platform adapter calls; commands are answered by family (covers, my requests,
moderation, reports, help and terms)."""

from core.chat.common import TERMS_TEXT, ordinal, song_label
from core.chat.handler import ChatHandler
from core.chat.messages import Button, Invocation, Reply, ReplyKind

__all__ = [
    "TERMS_TEXT",
    "Button",
    "ChatHandler",
    "Invocation",
    "Reply",
    "ReplyKind",
    "ordinal",
    "song_label",
]
