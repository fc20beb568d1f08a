"""Turns an ``Invocation`` into ``Reply`` values: the one place commands are handled.

Every platform adapter calls ``ChatHandler.handle`` and renders what comes
back; no business rule lives in the adapters. Errors users can fix get words
and a next step; errors they cannot fix get an incident id to quote.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from core.chat.messages import Button, Invocation, Reply, ReplyKind
from core.chat.settings import (
    NSFW_NOTE,
    SettingRefused,
    apply_setting,
    change_detail,
    describe_policy,
)
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
    SettingKey,
    ShowSettingsCommand,
    ShowTermsCommand,
    StatusCommand,
    StylesCommand,
    TraceCommand,
    VoicesCommand,
    format_command,
    help_text,
    parse_command,
)
from core.deliveries.trace import Tracer
from core.entitlements import Denied, DenyCode, scope_of, voices_for_song
from core.errors import UserFacing
from core.ids import new_id
from core.model import AuditEntry, Recording, RenderRequest, Report, RequestState
from core.notices import NoticeInbox
from core.ports import Clock, Stores
from core.requests.service import (
    NeedsStyle,
    Queued,
    Requester,
    RequestService,
    SongAmbiguous,
    SongUnknown,
    StyleUnknown,
    SubmitOutcome,
    Unavailable,
    short_id,
)
from core.stylebook import STYLES, style_name

log = logging.getLogger(__name__)

TERMS_TEXT = (
    "Refrain makes short licensed covers for fun and sharing. By using it you agree that: "
    "clips are for personal, non-commercial sharing; every clip carries an inaudible "
    "watermark that identifies it; plays are counted (anonymously) to pay the artists and "
    "songwriters; voices are only those their owners consented to."
)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def song_label(recording: Recording) -> str:
    return f"*{recording.title}* by {recording.artist}"


class ChatHandler:
    """Parse, dispatch to the use cases, and phrase the answer."""

    def __init__(
        self,
        service: RequestService,
        stores: Stores,
        clock: Clock,
        tracer: Tracer | None = None,
    ) -> None:
        self._service = service
        self._stores = stores
        self._clock = clock
        self._tracer = tracer
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
                return [await self._cover(who, command)]
            case StylesCommand():
                return [await self._styles(who, command.song)]
            case VoicesCommand():
                return [await self._voices(command.song)]
            case QuotaCommand():
                return [await self._quota(who)]
            case StatusCommand():
                return [await self._status(who, command.request_id)]
            case CancelCommand():
                return [await self._cancel(who, command.request_id)]
            case TraceCommand():
                return [await self._trace(inv)]
            case HelpCommand():
                return [Reply(help_text(command.topic), ReplyKind.INFO, ephemeral=True)]
            case ShowTermsCommand():
                return [self._terms()]
            case AcceptTermsCommand():
                return [await self._accept_terms(who)]
            case SetCountryCommand():
                return [await self._set_country(who, command.country)]
            case ShowSettingsCommand():
                policy = await self._stores.policies.get(inv.scope_id)
                return [Reply(describe_policy(policy), ReplyKind.INFO, ephemeral=True)]
            case ModeratorSettingCommand():
                return [await self._moderate(inv, who, command)]
            case AuditCommand():
                return [await self._audit(inv, command.limit)]
            case ReportCommand():
                return [await self._report(inv, who, command)]
            case ReportsCommand():
                return [await self._reports(inv, command.limit)]
            case ResolveCommand():
                return [await self._resolve(inv, who, command)]
        return [Reply("I don't know that command yet. Type `help`.", ReplyKind.ERROR)]

    async def _cover(self, who: Requester, command: CoverCommand) -> Reply:
        return self.outcome_reply(await self._service.submit(who, command), command)

    def outcome_reply(self, outcome: SubmitOutcome, command: CoverCommand) -> Reply:
        """What to tell the fan about a submit outcome (also used by `refrain render`)."""
        match outcome:
            case Queued():
                return self._queued_reply(outcome, command.seconds)
            case Denied():
                return self._denied_reply(outcome)
            case NeedsStyle():
                return self._needs_style(outcome, command)
            case SongUnknown():
                return self._song_unknown(outcome)
            case SongAmbiguous():
                return self._song_ambiguous(outcome, command)
            case Unavailable():
                return Reply(outcome.message, ReplyKind.DENIED, code=outcome.code)
            case StyleUnknown():
                options = ", ".join(f"`{s}`" for s in outcome.options) or "none"
                return Reply(
                    f"I don't know the style “{outcome.style}”. Styles you can use for this "
                    f"song: {options}.",
                    ReplyKind.ERROR,
                    code="STYLE_UNKNOWN",
                )
        raise AssertionError(f"unhandled outcome {outcome!r}")

    def _queued_reply(self, outcome: Queued, asked_seconds: int | None) -> Reply:
        request = outcome.request
        what = f"{song_label(outcome.recording)} in {style_name(request.style)}"
        sid = short_id(request.id)
        length = f"{request.seconds} s"
        if asked_seconds is not None and asked_seconds > request.seconds:
            length += f" (the whole song; you asked for {asked_seconds} s)"
        if outcome.duplicate:
            text = f"Already on it: request `{sid}` ({what}) is {request.state.value.lower()}."
        elif not outcome.queue_ok:
            text = (
                f"Request `{sid}` saved: {what}, {length}. The render queue is "
                "unreachable right now, so it will start as soon as it is back; "
                "nothing is lost and you won't be charged twice."
            )
        else:
            place = f" ({ordinal(outcome.position)} in line)" if outcome.position else ""
            text = f"Queued `{sid}`: {what}, {length}{place}."
        return Reply(
            text,
            ReplyKind.QUEUED,
            code="QUEUED",
            request_id=request.id,
            buttons=(Button("Cancel", f"cancel {sid}"),),
        )

    def _denied_reply(self, denied: Denied) -> Reply:
        text = denied.message
        if denied.hint:
            text += f" {denied.hint}"
        buttons: tuple[Button, ...] = ()
        if denied.code is DenyCode.TERMS_NOT_ACCEPTED:
            text += f"\n\n{TERMS_TEXT}"
            buttons = (Button("Accept the terms", "terms accept"),)
        return Reply(text, ReplyKind.DENIED, code=denied.code.value, buttons=buttons)

    def _needs_style(self, outcome: NeedsStyle, command: CoverCommand) -> Reply:
        if not outcome.options:
            return Reply(
                f"{song_label(outcome.recording)} can't be covered in any style here right now.",
                ReplyKind.DENIED,
                code="NO_STYLE_AVAILABLE",
            )
        names = ", ".join(f"`{s}`" for s in outcome.options)
        song = outcome.recording.title
        buttons = tuple(
            Button(
                style_name(s),
                format_command(
                    replace(command, song=song, artist=outcome.recording.artist, style=s,
                            unsplit=None)
                ),
            )
            for s in outcome.options
        )
        return Reply(
            f"Which style for {song_label(outcome.recording)}? You can pick: {names}. "
            f'For example: `cover "{song}" style:{outcome.options[0]}`',
            ReplyKind.QUESTION,
            code="NEEDS_STYLE",
            buttons=buttons,
        )

    def _song_unknown(self, outcome: SongUnknown) -> Reply:
        if outcome.suggestions:
            names = "; ".join(song_label(r) for r in outcome.suggestions)
            text = f"I couldn't find “{outcome.query}” in the licensed catalog. Did you mean: {names}?"
        else:
            text = (
                f"I couldn't find “{outcome.query}” in the licensed catalog. "
                "Type `styles` or check the spelling."
            )
        return Reply(text, ReplyKind.ERROR, code="SONG_UNKNOWN")

    def _song_ambiguous(self, outcome: SongAmbiguous, command: CoverCommand) -> Reply:
        options = "; ".join(song_label(r) for r in outcome.candidates)
        buttons = tuple(
            Button(
                f"{r.title} — {r.artist}",
                format_command(replace(command, song=r.title, artist=r.artist, unsplit=None)),
            )
            for r in outcome.candidates
        )
        return Reply(
            f"More than one song matches “{outcome.query}”: {options}. "
            f'Add the artist, e.g. `cover "{outcome.candidates[0].title}" by '
            f'{outcome.candidates[0].artist}`.',
            ReplyKind.QUESTION,
            code="SONG_AMBIGUOUS",
            buttons=buttons,
        )

    async def _styles(self, who: Requester, song: str | None) -> Reply:
        if song is None:
            lines = [f"• `{s.id}` — {s.name}: {s.description}" for s in STYLES.values()
                     if s.id != "original"]
            policy = await self._stores.policies.get(who.scope_id)
            note = ""
            if policy.allowed_styles is not None:
                enabled = ", ".join(sorted(policy.allowed_styles)) or "none"
                note = f"\nOn this server moderators enabled: {enabled}."
            return Reply("Styles:\n" + "\n".join(lines) + note, ReplyKind.INFO)
        resolved = await self._service.resolve_song(song, None)
        if isinstance(resolved, SongUnknown):
            return self._song_unknown(resolved)
        if isinstance(resolved, SongAmbiguous):
            resolved = resolved.candidates[0]
        options = await self._service.licensed_styles(resolved, who.scope_id)
        if not options:
            return Reply(f"No styles are available for {song_label(resolved)} here.", ReplyKind.INFO)
        listed = ", ".join(f"`{s}`" for s in options)
        return Reply(f"Styles for {song_label(resolved)}: {listed}.", ReplyKind.INFO)

    async def _voices(self, song: str | None) -> Reply:
        voices = [v for v in await self._stores.catalog.list_voice_models() if not v.revoked]
        if song is not None:
            resolved = await self._service.resolve_song(song, None)
            if isinstance(resolved, SongUnknown):
                return self._song_unknown(resolved)
            if isinstance(resolved, SongAmbiguous):
                resolved = resolved.candidates[0]
            license_ = await self._stores.catalog.current_license(resolved.id)
            voices = (
                voices_for_song(voices, license_.terms, self._clock.now()) if license_ else []
            )
            if not voices:
                return Reply(f"{song_label(resolved)} has no licensed voices.", ReplyKind.INFO)
        if not voices:
            return Reply("No consented voices are available right now.", ReplyKind.INFO)
        lines = [f"• `{v.name}` — consent: {scope_of(v).describe()}" for v in voices]
        return Reply("Consented voices:\n" + "\n".join(lines), ReplyKind.INFO)

    async def _quota(self, who: Requester) -> Reply:
        view = await self._service.quota(who)
        left = max(0, view.tier.seconds_per_period - view.used)
        text = (
            f"You're on the {view.tier.name} tier: {view.used} of {view.tier.seconds_per_period} "
            f"render-seconds used this {view.tier.period}, {left} s left; clips up to "
            f"{view.tier.max_clip_seconds} s. Resets {_when(view.resets_at, self._clock.now())}."
        )
        if view.member_limit is not None:
            text += (
                f" This server lets each member render {view.member_limit} s a day: "
                f"{view.member_used or 0} s used today."
            )
        if view.pool_limit is not None:
            text += f" Server pool: {view.pool_used or 0} of {view.pool_limit} s used today."
        return Reply(text, ReplyKind.INFO, ephemeral=True)

    async def _status(self, who: Requester, request_id: str | None) -> Reply:
        requests = await self._service.status(who, request_id)
        if not requests:
            if request_id:
                return Reply(f"I can't find a request `{request_id}` of yours.", ReplyKind.ERROR,
                             code="REQUEST_UNKNOWN")
            return Reply("You have no requests yet. Try `cover <song> style:<style>`.",
                         ReplyKind.INFO)
        lines = [await self._status_line(r) for r in requests]
        return Reply("\n".join(lines), ReplyKind.INFO, ephemeral=True)

    async def _status_line(self, request: RenderRequest) -> str:
        recording = await self._stores.catalog.get_recording(request.recording_id)
        title = recording.title if recording else request.recording_id
        line = f"`{short_id(request.id)}` {title} ({style_name(request.style)}, {request.seconds} s): "
        line += request.state.value.lower()
        if request.state is RequestState.QUEUED:
            position = await self._service.position(request.id)
            if position:
                line += f", {ordinal(position)} in line"
        elif request.state is RequestState.RUNNING and request.stage:
            line += f", {request.stage} {request.progress}%"
        elif request.state is RequestState.FAILED and request.error:
            line += f": {request.error}"
        return line

    async def _cancel(self, who: Requester, request_id: str) -> Reply:
        result = await self._service.cancel(who, request_id)
        if isinstance(result, str):
            return Reply(result, ReplyKind.ERROR, code="CANCEL_REFUSED")
        return Reply(
            f"Cancelled `{short_id(result.id)}`; its {result.seconds} s went back to your quota.",
            ReplyKind.INFO,
            code="CANCELLED",
            request_id=result.id,
        )

    async def _trace(self, inv: Invocation) -> Reply:
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

    def _terms(self) -> Reply:
        return Reply(
            f"Terms of use (version {self._service.terms_version}): {TERMS_TEXT}",
            ReplyKind.INFO,
            buttons=(Button("Accept the terms", "terms accept"),),
        )

    async def _accept_terms(self, who: Requester) -> Reply:
        user = await self._service.user_for(who)
        version = self._service.terms_version
        await self._stores.users.accept_terms(user.id, version, self._clock.now())
        return Reply(
            f"Thanks! You accepted the terms (version {version}). Now try "
            "`cover <song> style:<style>`.",
            ReplyKind.INFO,
            code="TERMS_ACCEPTED",
        )

    async def _set_country(self, who: Requester, country: str | None) -> Reply:
        user = await self._service.user_for(who)
        await self._stores.users.set_country(user.id, country)
        if country is None:
            return Reply("Your country is cleared; the server's default applies.", ReplyKind.INFO)
        return Reply(f"Your country is now {country}; licenses for {country} apply to you.",
                     ReplyKind.INFO, code="COUNTRY_SET")

    async def _moderate(
        self, inv: Invocation, who: Requester, command: ModeratorSettingCommand
    ) -> Reply:
        if not inv.is_moderator:
            return Reply(
                "Only moderators can change this server's settings. Ask one of them, or type "
                "`settings` to see the current ones.",
                ReplyKind.DENIED,
                code="NOT_MODERATOR",
            )
        policy = await self._stores.policies.get(inv.scope_id)
        result = await apply_setting(policy, command, self._service, self._stores.users, who)
        if isinstance(result, SettingRefused):
            return Reply(result.message, ReplyKind.ERROR, code="BAD_SETTING")
        new_policy, summary = result
        await self._stores.policies.save(new_policy)
        actor = await self._service.user_for(who)
        await self._append_audit(
            inv.scope_id, actor.id, f"settings.{command.key.value}",
            change_detail(summary, command.key, policy, new_policy),
        )
        text = f"Done: {summary}."
        if command.key is SettingKey.NSFW_FILTER:
            text += f" {NSFW_NOTE}"
        return Reply(text, ReplyKind.INFO, code="SETTING_CHANGED")

    async def _append_audit(self, scope_id: str, actor_id: str, action: str, detail: str) -> None:
        await self._stores.audit.append(
            AuditEntry(
                id=new_id(),
                scope_id=scope_id,
                actor_user_id=actor_id,
                action=action,
                detail=detail,
                at=self._clock.now(),
            )
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

    async def _report(self, inv: Invocation, who: Requester, command: ReportCommand) -> Reply:
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
        await self._append_audit(
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

    async def _reports(self, inv: Invocation, limit: int) -> Reply:
        if (refused := _moderators_only(inv, "read the reports")) is not None:
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

    async def _resolve(self, inv: Invocation, who: Requester, command: ResolveCommand) -> Reply:
        if (refused := _moderators_only(inv, "resolve reports")) is not None:
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
        await self._append_audit(
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

    async def _audit(self, inv: Invocation, limit: int) -> Reply:
        if (refused := _moderators_only(inv, "read the audit log")) is not None:
            return refused
        entries = await self._stores.audit.list(inv.scope_id, limit)
        if not entries:
            return Reply("The audit log of this server is empty.", ReplyKind.INFO, ephemeral=True)
        lines = []
        for entry in entries:
            actor = await self._stores.users.get(entry.actor_user_id)
            name = actor.display_name if actor else entry.actor_user_id
            lines.append(f"{entry.at:%Y-%m-%d %H:%M} UTC — {name}: {entry.detail}")
        return Reply("\n".join(lines), ReplyKind.INFO, ephemeral=True)


def _when(at: datetime, now: datetime) -> str:
    minutes = max(0, int((at - now).total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    span = f"{hours} h {minutes} min" if hours else f"{minutes} min"
    return f"in {span} ({at:%H:%M} UTC)"


def _moderators_only(inv: Invocation, what: str) -> Reply | None:
    """``None`` for a moderator; for anyone else the refusal "Only moderators can <what>."."""
    if inv.is_moderator:
        return None
    return Reply(f"Only moderators can {what}.", ReplyKind.DENIED, code="NOT_MODERATOR")


__all__ = ["TERMS_TEXT", "ChatHandler"]

