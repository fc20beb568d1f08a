"""Clips in circulation: tracing a file, a member's report, and the moderators' report queue."""

from __future__ import annotations

from core.chat.common import AuditTrail, moderators_only
from core.chat.messages import Invocation, Reply, ReplyKind
from core.commands import ReportCommand, ResolveCommand
from core.deliveries.trace import Tracer
from core.ids import new_id
from core.model import Report
from core.ports import Clock, Stores
from core.requests.requester import Requester
from core.requests.service import RequestService, short_id


class Reports:
    """``trace``, ``report``, ``reports`` and ``resolve``."""

    def __init__(
        self,
        service: RequestService,
        stores: Stores,
        clock: Clock,
        trail: AuditTrail,
        tracer: Tracer | None,
    ) -> None:
        self._service = service
        self._stores = stores
        self._clock = clock
        self._trail = trail
        self._tracer = tracer

    async def trace(self, inv: Invocation) -> Reply:
        if self._tracer is None:
            return Reply(
                "Tracing leaked clips is not available on this server yet.",
                ReplyKind.INFO,
                code="TRACE_UNAVAILABLE",
            )
        if inv.attachment is None:
            return Reply(
                "Attach the audio file to trace (or reply to it with `trace`).",
                ReplyKind.ERROR,
                code="TRACE_NEEDS_FILE",
                ephemeral=True,
            )
        outcome = await self._tracer.trace(
            inv.attachment, viewer_user_id=inv.user_id, full_record=inv.is_moderator
        )
        return Reply(
            outcome.message,
            ReplyKind.INFO if outcome.found else ReplyKind.ERROR,
            code="TRACE_FOUND" if outcome.found else "TRACE_NOT_FOUND",
            ephemeral=inv.is_moderator,  # a full record is for the moderator's eyes only
        )

    async def _report_target(self, target: str) -> tuple[str, str | None] | None:
        """(clip id, delivery id) of what a member named: a copy, a clip or a request."""
        delivery = await self._stores.deliveries.get(target)
        if delivery is not None:
            return delivery.clip_id, delivery.id
        clip = await self._stores.clips.get(target)
        if clip is not None:
            return clip.id, None
        request = await self._stores.requests.get(target)
        if request is None and len(target) == 8:
            request = await self._stores.requests.find_by_short_id(target.lower())
        if request is not None and request.clip_id is not None:
            return request.clip_id, None
        return None

    async def report(self, inv: Invocation, who: Requester, command: ReportCommand) -> Reply:
        found = await self._report_target(command.target)
        if found is None:
            return Reply(
                f"I can't find a clip `{command.target[:40]}`. Use the Report button under the "
                "clip, or the request id `status` shows for a finished clip.",
                ReplyKind.ERROR,
                code="REPORT_TARGET_UNKNOWN",
                ephemeral=True,
            )
        clip_id, delivery_id = found
        reporter = await self._service.user_for(who)
        already = [
            r for r in await self._stores.reports.list_open(inv.scope_id, 100)
            if r.clip_id == clip_id and r.reporter_user_id == reporter.id
        ]
        if already:
            return Reply(
                f"You already reported this clip (report `{short_id(already[0].id)}`); the "
                "moderators of this server will look at it.",
                ReplyKind.INFO,
                code="REPORTED",
                ephemeral=True,
            )
        report = Report(
            id=new_id(),
            scope_id=inv.scope_id,
            clip_id=clip_id,
            delivery_id=delivery_id,
            reporter_user_id=reporter.id,
            reason=command.reason,
            created_at=self._clock.now(),
        )
        await self._stores.reports.add(report)
        await self._trail.append(
            inv.scope_id, reporter.id, "report.create",
            # Not the reporter's words: the audit log is append-only and they must stay
            # erasable; moderators read them with `reports`.
            f"reported clip `{short_id(clip_id)}` (report `{short_id(report.id)}`)",
        )
        return Reply(
            f"Thanks — the moderators of this server will look at it (report "
            f"`{short_id(report.id)}`).",
            ReplyKind.INFO,
            code="REPORTED",
            ephemeral=True,
        )

    async def reports(self, inv: Invocation, limit: int) -> Reply:
        if (refused := moderators_only(inv, "read the reports")) is not None:
            return refused
        reports = await self._stores.reports.list_open(inv.scope_id, limit)
        if not reports:
            return Reply("No open reports on this server.", ReplyKind.INFO, code="NO_REPORTS",
                         ephemeral=True)
        lines = ["Open reports, newest first (`resolve <id> [note]` closes one):"]
        for report in reports:
            reporter = await self._stores.users.get(report.reporter_user_id)
            name = reporter.display_name if reporter else report.reporter_user_id
            what = await self._clip_label(report.clip_id)
            copy = f", copy `{short_id(report.delivery_id)}`" if report.delivery_id else ""
            lines.append(
                f"`{short_id(report.id)}` {report.created_at:%Y-%m-%d %H:%M} UTC — {name} on "
                f"{what}{copy}: {report.reason or 'no reason given'}"
            )
        return Reply("\n".join(lines), ReplyKind.INFO, code="REPORTS", ephemeral=True)

    async def _clip_label(self, clip_id: str) -> str:
        clip = await self._stores.clips.get(clip_id)
        recording = await self._stores.catalog.get_recording(clip.recording_id) if clip else None
        title = f"*{recording.title}* " if recording else ""
        return f"{title}clip `{short_id(clip_id)}`"

    async def resolve(self, inv: Invocation, who: Requester, command: ResolveCommand) -> Reply:
        if (refused := moderators_only(inv, "resolve reports")) is not None:
            return refused
        report = await self._stores.reports.find(inv.scope_id, command.report_id)
        if report is None:
            return Reply(
                f"I can't find a report `{command.report_id[:40]}` on this server. Type "
                "`reports` to see the open ones.",
                ReplyKind.ERROR,
                code="REPORT_UNKNOWN",
                ephemeral=True,
            )
        actor = await self._service.user_for(who)
        closed = report.open and await self._stores.reports.resolve(
            report.id, actor.id, command.note, self._clock.now()
        )
        if not closed:
            return Reply(
                f"Report `{short_id(report.id)}` was already resolved.",
                ReplyKind.INFO,
                code="REPORT_ALREADY_RESOLVED",
                ephemeral=True,
            )
        await self._trail.append(
            inv.scope_id, actor.id, "report.resolve",
            f"resolved report `{short_id(report.id)}` on clip `{short_id(report.clip_id)}`: "
            f"{command.note or 'no note'}",
        )
        return Reply(
            f"Report `{short_id(report.id)}` resolved"
            + (f": {command.note}." if command.note else "."),
            ReplyKind.INFO,
            code="REPORT_RESOLVED",
            ephemeral=True,
        )
