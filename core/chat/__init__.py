"""The chat: the neutral message model (``Invocation``/``Reply``) and the one handler
every platform adapter calls; commands are answered by family (covers, my requests,
moderation, reports, help and terms)."""

from core.chat.common import TERMS_TEXT, ordinal, song_label
from core.chat.handler import ChatHandler
from core.chat.messages import UPGRADE_COMMAND, Button, Invocation, Reply, ReplyKind
from core.chat.upgrades import UPGRADE_CODE, Entitlement, Paid, PaymentProvider, Upgrades

__all__ = [
    "TERMS_TEXT",
    "UPGRADE_CODE",
    "UPGRADE_COMMAND",
    "Button",
    "ChatHandler",
    "Entitlement",
    "Invocation",
    "Paid",
    "PaymentProvider",
    "Reply",
    "ReplyKind",
    "Upgrades",
    "ordinal",
    "song_label",
]
