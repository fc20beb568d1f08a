"""Turns an ``Invocation`` into ``Reply`` values: the one place commands are handled.

Every platform adapter calls ``ChatHandler.handle`` and renders what comes
back; no business rule lives in the adapters. The handler parses, hands the
command to its family (``covers``, ``my_requests``, ``moderation``,
``reports``, ``info``) and turns any failure into words: errors users can
fix get a next step, errors they cannot fix an incident id to quote.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from core.chat.common import TERMS_TEXT, AuditTrail
from core.chat.covers import Covers
from core.chat.info import Info
from core.chat.messages import Invocation, Reply, ReplyKind
from core.chat.moderation import Moderation
from core.chat.my_requests import MyRequests
from core.chat.reports import Reports
from core.chat.upgrades import PaymentProvider, Upgrades
from core.commands import (
    DEFAULT_STYLE_ALIASES,
    AcceptTermsCommand,
    AuditCommand,
    CancelCommand,
    Command,
    CoverCommand,
    HelpCommand,
    ModeratorSettingCommand,
    ParseError,
    QuotaCommand,
    ReportCommand,
    ReportsCommand,
    ResolveCommand,
    SetCountryCommand,
    ShowSettingsCommand,
    ShowTermsCommand,
    StatusCommand,
    StylesCommand,
    TraceCommand,
    UpgradeCommand,
    VoicesCommand,
    parse_command,
)
from core.deliveries.trace import Tracer
from core.errors import UserFacing
from core.ids import new_id
from core.notices import NoticeInbox
from core.ports import Clock, Stores
from core.requests.requester import Requester
from core.requests.service import RequestService, SubmitOutcome, short_id
from core.revenue import RevenueService

log = logging.getLogger(__name__)


class ChatHandler:
    """Parse, dispatch to the command families, and never let a failure go unworded."""

    def __init__(
        self,
        service: RequestService,
        stores: Stores,
        clock: Clock,
        tracer: Tracer | None = None,
        revenue: RevenueService | None = None,
        providers: Mapping[str, PaymentProvider] | None = None,
    ) -> None:
        trail = AuditTrail(stores.audit, clock)
        self.upgrades = Upgrades(service, revenue, service.tiers, providers or {}, stores.policies,
                                 stores.users)
        self.covers = Covers(service, stores, clock)
        self.my_requests = MyRequests(service, stores, clock)
        self.info = Info(service, stores, clock)
        self.moderation = Moderation(service, stores, clock, trail)
        self.reports = Reports(service, stores, clock, trail, tracer)
        self._inbox = NoticeInbox(stores.users, stores.audit, clock)

    async def handle(self, invocation: Invocation) -> list[Reply]:
        """Answer one invocation; never raises (failures get an incident id)."""
        try:
            parsed = parse_command(invocation.text, known_styles=DEFAULT_STYLE_ALIASES)
            if isinstance(parsed, ParseError):
                text = parsed.message
                if parsed.suggestion:
                    text += f" {parsed.suggestion}"
                return [Reply(text, ReplyKind.ERROR, code=parsed.code.value, ephemeral=True)]
            replies = await self._dispatch(invocation, parsed)
            return await self._notices_for(invocation) + replies
        except Exception as exc:
            incident = short_id(new_id())
            log.exception("incident %s while handling a %s command", incident, invocation.platform)
            text = (
                f"{exc.user_message} (incident `{incident}`)"
                if isinstance(exc, UserFacing)
                else f"Something went wrong on our side. Quote incident `{incident}` to a "
                "moderator if it keeps happening; nothing was charged."
            )
            return [Reply(text, ReplyKind.ERROR, code="INTERNAL", ephemeral=True)]

    async def _notices_for(self, invocation: Invocation) -> list[Reply]:
        """One-time notices for this user (a takedown of their clip…), shown once."""
        try:
            texts = await self._inbox.take_unread(invocation.platform, invocation.user_id)
        except Exception:  # the answer matters more; the notices stay unread for next time
            log.warning("could not read notices for a %s user", invocation.platform, exc_info=True)
            return []
        return [Reply(text, ReplyKind.INFO, code="NOTICE") for text in texts]

    @staticmethod
    def requester(invocation: Invocation) -> Requester:
        return Requester(
            platform=invocation.platform,
            platform_user_id=invocation.user_id,
            display_name=invocation.user_name,
            scope_id=invocation.scope_id,
            channel_id=invocation.channel_id,
            message_id=invocation.message_id,
            is_moderator=invocation.is_moderator,
            origin=invocation.origin,
        )

    async def _dispatch(self, inv: Invocation, command: Command) -> list[Reply]:
        who = self.requester(inv)
        match command:
            case CoverCommand():
                return [await self.covers.cover(who, command)]
            case StylesCommand():
                return [await self.covers.styles(who, command.song)]
            case VoicesCommand():
                return [await self.covers.voices(command.song)]
            case QuotaCommand():
                return [await self.my_requests.quota(who)]
            case UpgradeCommand():
                return [await self.upgrades.upgrade(who, command.plan)]
            case StatusCommand():
                return [await self.my_requests.status(who, command.request_id)]
            case CancelCommand():
                return [await self.my_requests.cancel(who, command.request_id)]
            case SetCountryCommand():
                return [await self.my_requests.set_country(who, command.country)]
            case TraceCommand():
                return [await self.reports.trace(inv)]
            case ReportCommand():
                return [await self.reports.report(inv, who, command)]
            case ReportsCommand():
                return [await self.reports.reports(inv, command.limit)]
            case ResolveCommand():
                return [await self.reports.resolve(inv, who, command)]
            case HelpCommand():
                return [self.info.help(command.topic)]
            case ShowTermsCommand():
                return [self.info.terms()]
            case AcceptTermsCommand():
                return [await self.info.accept_terms(who)]
            case ShowSettingsCommand():
                return [await self.moderation.show(inv.scope_id)]
            case ModeratorSettingCommand():
                return [await self.moderation.change(inv, who, command)]
            case AuditCommand():
                return [await self.moderation.audit(inv, command.limit)]
        return [Reply("I don't know that command yet. Type `help`.", ReplyKind.ERROR)]

    def outcome_reply(self, outcome: SubmitOutcome, command: CoverCommand) -> Reply:
        """What to tell the fan about a submit outcome (also used by `refrain render`)."""
        return self.covers.outcome_reply(outcome, command)


__all__ = ["TERMS_TEXT", "ChatHandler"]
