"""Help and terms: what Refrain is, and accepting its terms of use."""

from __future__ import annotations

from core.chat.common import TERMS_TEXT
from core.chat.messages import Button, Reply, ReplyKind
from core.commands import help_text
from core.ports import Clock, Stores
from core.requests.requester import Requester
from core.requests.service import RequestService


class Info:
    """``help``, ``terms`` and ``terms accept``."""

    def __init__(self, service: RequestService, stores: Stores, clock: Clock) -> None:
        self._service = service
        self._stores = stores
        self._clock = clock

    def help(self, topic: str | None) -> Reply:
        return Reply(help_text(topic), ReplyKind.INFO, ephemeral=True)

    def terms(self) -> Reply:
        return Reply(
            f"Terms of use (version {self._service.terms_version}): {TERMS_TEXT}",
            ReplyKind.INFO,
            buttons=(Button("Accept the terms", "terms accept"),),
        )

    async def accept_terms(self, who: Requester) -> Reply:
        user = await self._service.user_for(who)
        version = self._service.terms_version
        await self._stores.users.accept_terms(user.id, version, self._clock.now())
        return Reply(
            f"Thanks! You accepted the terms (version {version}). Now try "
            "`cover <song> style:<style>`.",
            ReplyKind.INFO,
            code="TERMS_ACCEPTED",
        )
