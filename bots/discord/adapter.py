"""The Discord adapter: interactions in, ``ChatHandler`` replies out, clips delivered.

Everything a command means is decided by ``app.handler`` (the same use cases
the console and Telegram run); this class only reads Discord input, answers
within Discord's 3 seconds (defer first), renders replies, keeps the
request's message up to date and hands the finished clip over through
``app.deliveries`` (a watermarked copy per hand-over, logged as usage).
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import discord

from bots.discord.courier import DEFAULT_UPLOAD_LIMIT, Attachment, Courier, Target
from bots.discord.guard import FloodGuard, SeenIds
from bots.discord.invocation import PLATFORM, invocation_for, message_invocation
from bots.discord.premium import Premium
from bots.discord.progress import EventSource, ProgressTracker
from bots.discord.render import (
    MARKERS,
    ClipCard,
    Rendered,
    clip_text,
    render_clip,
    render_reply,
)
from bots.discord.views import ClipAction, LongCommands, ReportModal
from config.discord import DiscordSettings
from core.chat import ChatHandler, Invocation, Reply, ReplyKind
from core.commands import (
    CoverCommand,
    ReportCommand,
    ResolveCommand,
    format_command,
    parse_command,
)
from core.deliveries import DeliveryService, delivery_problem
from core.model import Origin, RequestState
from core.ports import JobEvent, JobEventKind
from core.requests import short_id
from core.service import Refrain

log = logging.getLogger(__name__)

MISSED_WINDOW = timedelta(hours=24)  # older finished clips are not pushed unasked

AUDIO_TYPES = ("audio/", "video/", "application/ogg", "application/octet-stream")
AUDIO_SUFFIXES = frozenset(
    {".opus", ".ogg", ".oga", ".mp3", ".m4a", ".mp4", ".aac", ".wav", ".flac", ".webm", ".aiff"}
)
class DiscordAdapter:
    """One per bot; cogs and buttons call into it."""

    def __init__(
        self,
        app: Refrain,
        client: discord.Client,
        settings: DiscordSettings,
        *,
        deliveries: DeliveryService | None,
        events: EventSource | None,
        orphan_grace_s: float = 5.0,
    ) -> None:
        self.app = app
        self.client = client
        self.settings = settings
        self.deliveries = deliveries
        self.long_commands = LongCommands()
        self.seen = SeenIds()
        self.flood = FloodGuard(settings.commands_per_minute)
        self.courier = Courier(client, settings.token_lifetime_s)
        self.tracker = (
            ProgressTracker(events, self.courier, self._finish, self._recover,
                            interval=settings.progress_interval_s, orphan_grace=orphan_grace_s)
            if events is not None
            else None
        )
        self.removed_guilds: set[int] = set()
        self.premium = Premium(app)

    @property
    def handler(self) -> ChatHandler:
        return self.app.handler

    # ================================================================ commands

    async def command(
        self,
        interaction: discord.Interaction[Any],
        text: str,
        *,
        public: bool = True,
        origin: Origin = Origin.COMMAND,
        message_id: str | None = None,
    ) -> None:
        """Run ``text`` for whoever interacted: defer, ask the handler, show the replies."""
        if not await self._admit(interaction):
            return
        if not await self._defer(interaction, ephemeral=not public):
            return
        await self.premium.check(interaction)  # a purchase counts from this very request
        invocation = replace(
            self._invocation(interaction, text, message_id=message_id), origin=origin
        )
        replies = await self.handler.handle(invocation)
        await self._answer(interaction, replies, public=public, origin=origin)

    def _invocation(self, interaction: discord.Interaction[Any], text: str, *,
                    message_id: str | None = None, attachment: Path | None = None) -> Invocation:
        return invocation_for(interaction, text, moderator_roles=self.settings.moderator_roles,
                              message_id=message_id, attachment=attachment)

    async def _admit(self, interaction: discord.Interaction[Any]) -> bool:
        """Drop gateway replays; answer floods with 'slow down' (nothing runs, nothing is charged)."""
        if not self.seen.first_time(interaction.id):
            log.info("interaction %s seen before (gateway replay); ignored", interaction.id)
            return False
        wait = self.flood.allow(interaction.user.id)
        if wait is None:
            return True
        await self._safe_send(
            interaction,
            f"✋ You're sending commands faster than I can take them. Wait {int(wait)} s and "
            "try again; nothing was run or charged.",
        )
        return False

    @staticmethod
    async def _defer(interaction: discord.Interaction[Any], *, ephemeral: bool) -> bool:
        try:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        except discord.HTTPException as exc:
            # 40060: another copy of the bot acknowledged it; 10062: more than 3 s went by
            log.warning("could not acknowledge interaction %s: %s %s", interaction.id, exc.status,
                        exc.text)
            return False
        return True

    @staticmethod
    async def _safe_send(interaction: discord.Interaction[Any], text: str) -> None:
        try:
            if interaction.response.is_done():
                await interaction.followup.send(clip_text(text), ephemeral=True)
            else:
                await interaction.response.send_message(clip_text(text), ephemeral=True)
        except discord.HTTPException as exc:
            log.warning("could not answer interaction %s: %s", interaction.id, exc.status)

    async def _answer(self, interaction: discord.Interaction[Any], replies: list[Reply], *,
                      public: bool, origin: Origin) -> None:
        if not replies:
            replies = [Reply("Done.")]
        first = replies[0]
        rendered = render_reply(first, self.long_commands, self.premium.buttons_for(first))
        try:
            if rendered.ephemeral and public:
                await interaction.delete_original_response()
                await self._followup(interaction, rendered, ephemeral=True)
            else:
                await interaction.edit_original_response(content=rendered.content,
                                                         view=rendered.view)
            for reply in replies[1:]:
                more = render_reply(reply, self.long_commands, self.premium.buttons_for(reply))
                await self._followup(interaction, more, ephemeral=more.ephemeral or not public)
        except discord.HTTPException as exc:
            log.warning("could not show the answer to interaction %s: %s %s", interaction.id,
                        exc.status, exc.text)
        if first.kind is ReplyKind.QUEUED and first.request_id and self.tracker is not None:
            self.tracker.track(self._target(interaction, first.request_id, rendered.content, origin))

    @staticmethod
    async def _followup(interaction: discord.Interaction[Any], rendered: Rendered, *,
                        ephemeral: bool) -> None:
        if rendered.view is not None:
            await interaction.followup.send(rendered.content, view=rendered.view,
                                            ephemeral=ephemeral)
        else:
            await interaction.followup.send(rendered.content, ephemeral=ephemeral)

    def _target(self, interaction: discord.Interaction[Any], request_id: str, headline: str,
                origin: Origin) -> Target:
        permissions = interaction.app_permissions
        return Target(
            request_id=request_id,
            headline=headline,
            origin=origin,
            user_id=interaction.user.id,
            channel_id=interaction.channel_id,
            guild_id=interaction.guild_id,
            upload_limit=interaction.filesize_limit or DEFAULT_UPLOAD_LIMIT,
            can_attach=permissions.attach_files,
            can_embed=permissions.embed_links,
            interaction=interaction,
        )

    # ================================================================ buttons

    async def press_command(self, interaction: discord.Interaction[Any], command: str) -> None:
        """A reply's button: the command runs as the person who pressed it."""
        public = isinstance(parse_command(command), CoverCommand)
        await self.command(interaction, command, public=public, origin=Origin.BUTTON)

    async def press_long_command(self, interaction: discord.Interaction[Any], key: str,
                                 label: str) -> None:
        command = self.long_commands.get(key)
        if command is None:
            if await self._admit(interaction):
                await self._safe_send(
                    interaction,
                    f"This button (“{label}”) is older than my last restart and I no longer know "
                    "what it did. Please run the command again; nothing was charged.",
                )
            return
        await self.press_command(interaction, command)

    async def press_clip_button(self, interaction: discord.Interaction[Any], action: ClipAction,
                                delivery_id: str) -> None:
        if action is ClipAction.REPORT:
            if self.seen.first_time(interaction.id):
                try:
                    await interaction.response.send_modal(ReportModal(delivery_id))
                except discord.HTTPException as exc:
                    log.warning("report form not shown: %s", exc.status)
            return
        if action is ClipAction.TRACE:
            await self._trace_info(interaction, delivery_id)
            return
        command = await self._command_of(delivery_id, keep_style=action is ClipAction.REGENERATE)
        if command is None:
            if await self._admit(interaction):
                await self._safe_send(interaction, "⚠️ I can't find that clip any more.")
            return
        await self.command(interaction, command, public=action is ClipAction.REGENERATE,
                           origin=Origin.BUTTON)

    async def _command_of(self, delivery_id: str, *, keep_style: bool) -> str | None:
        """The command behind "regenerate" (``keep_style``) or "other style" for a clip."""
        remakes = await self.app.remakes.of_delivery(delivery_id)
        if remakes is None:
            return None
        return remakes.regenerate_text if keep_style else remakes.other_style_text

    async def _trace_info(self, interaction: discord.Interaction[Any], delivery_id: str) -> None:
        if not await self._admit(interaction) or not await self._defer(interaction, ephemeral=True):
            return
        delivery = await self.app.deliveries.delivery(delivery_id)
        if delivery is None or self.deliveries is None:
            text = "⚠️ I can't find that clip any more."
        else:
            credits = await self.deliveries.credits(delivery.clip_id)
            text = (
                f"🔍 **{credits.title}** is a genuine, licensed Refrain clip.\n{credits.line}\n"
                f"This copy (`{short_id(delivery.id)}`) was delivered on "
                f"{delivery.created_at:%Y-%m-%d %H:%M} UTC and carries its own inaudible "
                "watermark. Moderators can identify any copy with `/trace`."
            )
        await self._edit(interaction, text)

    async def submit_report(self, interaction: discord.Interaction[Any], delivery_id: str,
                            reason: str) -> None:
        """A member reports a clip: the core's report queue (moderators see it in `/refrain reports`)."""
        if not await self._admit(interaction) or not await self._defer(interaction, ephemeral=True):
            return
        command = ReportCommand(delivery_id, " ".join(reason.split())[:400] or None)
        await self._answer_with(interaction, format_command(command))

    async def reports(self, interaction: discord.Interaction[Any]) -> None:
        """The open reports, newest first (the handler checks the moderator)."""
        if not await self._admit(interaction) or not await self._defer(interaction, ephemeral=True):
            return
        await self._answer_with(interaction, "reports")

    async def resolve_report(self, interaction: discord.Interaction[Any], report_id: str,
                             note: str | None) -> None:
        if not await self._admit(interaction) or not await self._defer(interaction, ephemeral=True):
            return
        await self._answer_with(interaction, format_command(ResolveCommand(report_id, note or None)))

    async def _answer_with(self, interaction: discord.Interaction[Any], text: str) -> None:
        replies = await self.handler.handle(self._invocation(interaction, text))
        content = "\n\n".join(render_reply(r, self.long_commands).content for r in replies)
        await self._edit(interaction, content)

    @staticmethod
    async def _edit(interaction: discord.Interaction[Any], text: str) -> None:
        try:
            await interaction.edit_original_response(content=clip_text(text))
        except discord.HTTPException as exc:
            log.warning("could not answer interaction %s: %s", interaction.id, exc.status)

    # ================================================================ trace

    async def trace(self, interaction: discord.Interaction[Any],
                    attachment: discord.Attachment) -> None:
        """Identify a leaked clip (``app.handler`` traces it); refuses non-audio and huge files unread."""
        if not await self._admit(interaction):
            return
        if attachment.size > self.settings.max_trace_bytes:
            limit = self.settings.max_trace_bytes // (1024 * 1024)
            await self._safe_send(
                interaction,
                f"⚠️ That file is {attachment.size / 1024 / 1024:.0f} MB; `/trace` reads files up "
                f"to {limit} MB. Send the clip itself (Refrain clips are a few MB at most).",
            )
            return
        if not _looks_like_audio(attachment):
            await self._safe_send(
                interaction,
                f"⚠️ “{attachment.filename[:60]}” isn't an audio file. Attach the clip you want "
                "to identify (Opus, MP3, M4A, WAV, FLAC…).",
            )
            return
        if not await self._defer(interaction, ephemeral=False):
            return
        with tempfile.TemporaryDirectory(prefix="refrain-trace-") as folder:
            suffix = Path(attachment.filename).suffix.lower()[:8]
            path = Path(folder) / f"clip{suffix if suffix in AUDIO_SUFFIXES else ''}"
            try:
                await attachment.save(path)
            except (discord.HTTPException, OSError):
                await self._edit(interaction, "⚠️ I couldn't download that file from Discord. "
                                 "Try again in a minute; nothing was charged.")
                return
            invocation = self._invocation(interaction, "trace", attachment=path)
            replies = await self.handler.handle(invocation)
        await self._answer(interaction, replies, public=True, origin=Origin.COMMAND)

    # ================================================================ plain text

    async def on_mention(self, message: discord.Message, text: str) -> None:
        """``@Refrain cover …`` (message-content intent): same commands, answered by reply."""
        if not self.seen.first_time(message.id):
            return
        wait = self.flood.allow(message.author.id)
        if wait is not None:
            await self._reply(message, Rendered(
                f"✋ Slow down: wait {int(wait)} s. Nothing was run or charged."))
            return
        invocation = message_invocation(message, text,
                                        moderator_roles=self.settings.moderator_roles)
        replies = await self.handler.handle(invocation)
        for number, reply in enumerate(replies):
            rendered = render_reply(reply, self.long_commands)
            sent = await self._reply(message, rendered)
            if (number == 0 and reply.kind is ReplyKind.QUEUED and reply.request_id
                    and self.tracker is not None and sent is not None):
                guild = message.guild
                self.tracker.track(Target(
                    request_id=reply.request_id,
                    headline=rendered.content,
                    origin=Origin.COMMAND,
                    user_id=message.author.id,
                    channel_id=message.channel.id,
                    guild_id=guild.id if guild else None,
                    upload_limit=guild.filesize_limit if guild else DEFAULT_UPLOAD_LIMIT,
                    message=sent,
                ))

    async def _reply(self, message: discord.Message, rendered: Rendered) -> discord.Message | None:
        kwargs: dict[str, Any] = {"content": rendered.content, "mention_author": False}
        if rendered.view is not None:
            kwargs["view"] = rendered.view
        try:
            return await message.reply(**kwargs)
        except discord.Forbidden:
            try:
                return await message.author.send(
                    "I can't write in that channel (missing permission), so I answer here:\n"
                    + rendered.content
                )
            except discord.HTTPException:
                log.warning("could not answer message %s anywhere", message.id)
        except discord.HTTPException as exc:
            log.warning("could not answer message %s: %s", message.id, exc.status)
        return None

    # ================================================================ job events

    async def hand_over_missed(self) -> None:
        """Clips that finished while this bot was down: deliver them to their channel now."""
        try:
            waiting = await self.app.deliveries.awaiting_handover(
                PLATFORM, self.app.clock.now() - MISSED_WINDOW
            )
            for request in waiting:
                target = await self._recover(request.id)
                if target is not None and request.clip_id is not None:
                    event = JobEvent(request.id, JobEventKind.DELIVERED, clip_id=request.clip_id)
                    await self._finish(target, event)
            if waiting:
                log.info("handed over %d clip(s) finished while the bot was away", len(waiting))
        except Exception:  # the next start tries again; the clips are kept
            log.exception("could not hand over the clips finished while the bot was away")

    async def _finish(self, target: Target, event: JobEvent) -> None:
        if event.kind is JobEventKind.DELIVERED and event.clip_id:
            await self._deliver(target, event.clip_id)
            return
        words = {
            JobEventKind.FAILED: "couldn't be made",
            JobEventKind.CANCELLED: "was cancelled",
            JobEventKind.TAKEN_DOWN: "was withdrawn",
        }.get(event.kind, "ended")
        text = f"{MARKERS[ReplyKind.ERROR]}Request `{short_id(target.request_id)}` {words}."
        if event.message:
            text += f" {event.message}"
        if event.kind is JobEventKind.CANCELLED:
            await self.courier.edit(target, clip_text(text))
        else:
            await self.courier.final(target, Rendered(clip_text(text)))

    async def _deliver(self, target: Target, clip_id: str) -> None:
        """The requester's copy (made and charged by the job); uploaded, or linked when too big."""
        if self.deliveries is None:
            log.error("request %s is done but this deployment has no delivery service",
                      target.request_id)
            await self.courier.final(target, Rendered(
                "⚠️ Your cover is ready, but I can't hand out files right now. A moderator "
                f"can help with request `{short_id(target.request_id)}`."))
            return
        request = await self.app.requests.request(target.request_id)
        if request is None or request.state is RequestState.CANCELLED:
            return
        try:
            delivered = await self.deliveries.handover(request)
        except Exception as exc:  # not deliverable any more, or a fault: words, never silence
            await self.courier.final(
                target, Rendered(f"{MARKERS[ReplyKind.DENIED]}{delivery_problem(exc)}")
            )
            return
        if delivered.delivery.handed_over_at is not None:
            return  # the event came twice: one clip per request
        card = ClipCard(
            title=delivered.title,
            credits=delivered.credits,
            style=_style_of(delivered.title),
            delivery_id=delivered.delivery.id,
            share_url=delivered.share_url,
        )
        too_big = delivered.delivery.size_bytes > target.upload_limit
        reason = ""
        if too_big:
            reason = (f"The file is larger than this server's upload limit "
                      f"({target.upload_limit // (1024 * 1024)} MB), so here is a link.")
        elif not target.can_attach:
            reason = "I'm not allowed to attach files in this channel (Attach Files), so here is a link."
        as_link = too_big or not target.can_attach

        def link_version(why: str) -> Rendered:
            return render_clip(card, embeds=target.can_embed, as_link=True, link_reason=why)

        rendered = render_clip(card, embeds=target.can_embed, as_link=as_link, link_reason=reason)
        attachment = None if as_link else Attachment(delivered.path, delivered.filename)
        where = await self.courier.final(target, rendered, attachment, link_version)
        log.info("request %s delivered (%s) via %s", target.request_id,
                 short_id(delivered.delivery.id), where)
        if where != "lost":
            await self.deliveries.handed_over(delivered.delivery.id)

    async def _recover(self, request_id: str) -> Target | None:
        """A Target for a request whose message this process does not know (restarted mid-job)."""
        details = await self.app.requests.details(request_id)
        if details is None:
            return None
        request, user = details.request, details.user
        if not request.idempotency_key.startswith(f"{PLATFORM}:"):
            return None
        if request.channel_id is None or not request.channel_id.isdigit():
            return None
        _, _, rest = request.scope_id.partition(":")
        guild_id = int(rest) if rest.isdigit() else None
        guild = self.client.get_guild(guild_id) if guild_id is not None else None
        if guild_id is not None and guild is None and guild_id not in self.removed_guilds:
            return None  # a guild another deployment serves
        if user is None or not user.platform_user_id.isdigit():
            return None
        title = details.recording.title if details.recording else "your cover"
        return Target(
            request_id=request.id,
            headline=f"⏳ `{short_id(request.id)}` {title}",
            origin=Origin.COMMAND,
            user_id=int(user.platform_user_id),
            channel_id=int(request.channel_id),
            guild_id=guild_id,
            upload_limit=guild.filesize_limit if guild else DEFAULT_UPLOAD_LIMIT,
        )


def _style_of(title: str) -> str:
    """"Golden Hour (Lofi cover)" → "Lofi cover" for the embed footer."""
    inner = title.rpartition("(")[2].rstrip(")") if title.endswith(")") else ""
    return inner or "cover"


def _looks_like_audio(attachment: discord.Attachment) -> bool:
    suffix = Path(attachment.filename).suffix.lower()
    if suffix in AUDIO_SUFFIXES:
        return True
    kind = (attachment.content_type or "").lower()
    return bool(kind) and kind.startswith(AUDIO_TYPES) and kind != "application/octet-stream"
