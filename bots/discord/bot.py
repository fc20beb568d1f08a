"""The discord.py client: intents, the command tree, persistent buttons, start-up.

``build_bot`` returns a ``commands.Bot`` (or ``AutoShardedBot`` when
``shard_count`` is set) whose ``setup_hook`` adds the cogs, registers the
dynamic (persistent) buttons, starts the progress tracker and syncs the slash
commands to the dev guild or globally. Dependencies come in through the
constructor; nothing is global.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.adapter import DiscordAdapter
from bots.discord.cogs import CoverCog, InfoCog, ModerationCog
from bots.discord.progress import EventSource
from bots.discord.views import ClipButton, CommandButton
from config.discord import DiscordSettings
from core.deliveries import DeliveryService
from core.ids import new_id
from core.requests import short_id
from core.service import Refrain

log = logging.getLogger(__name__)


def intents_for(settings: DiscordSettings) -> discord.Intents:
    """Only what Refrain needs: guilds; messages and their content only for '@Refrain …'."""
    intents = discord.Intents.none()
    intents.guilds = True
    if settings.message_content:
        intents.guild_messages = True
        intents.dm_messages = True
        intents.message_content = True
    return intents


class RefrainTree(app_commands.CommandTree[Any]):
    """Errors inside a command become an incident id for the user, never silence."""

    async def on_error(self, interaction: discord.Interaction[Any],
                       error: app_commands.AppCommandError, /) -> None:
        incident = short_id(new_id())
        log.error("incident %s in /%s", incident,
                  interaction.command.qualified_name if interaction.command else "?",
                  exc_info=error)
        text = (f"⚠️ Something went wrong on our side. Quote incident `{incident}` to a "
                "moderator if it keeps happening; nothing was charged.")
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException:
            pass


class _Setup:
    """What both bot classes do on start-up and on messages (composition, not a mixin)."""

    def __init__(self, settings: DiscordSettings) -> None:
        self.settings = settings

    async def setup(self, bot: commands.Bot | commands.AutoShardedBot, adapter: DiscordAdapter) -> None:
        await bot.add_cog(CoverCog(adapter))
        await bot.add_cog(InfoCog(adapter))
        await bot.add_cog(ModerationCog(adapter))
        bot.add_dynamic_items(CommandButton, ClipButton)
        if adapter.tracker is not None:
            await adapter.tracker.start()
        if self.settings.sync_commands:
            await self.sync(bot)

    async def sync(self, bot: commands.Bot | commands.AutoShardedBot) -> None:
        try:
            if self.settings.dev_guild_id is not None:
                guild = discord.Object(id=self.settings.dev_guild_id)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
                where = f"guild {self.settings.dev_guild_id}"
            else:
                synced = await bot.tree.sync()
                where = "all guilds (global commands take up to an hour to appear)"
            log.info("synced %d slash commands to %s", len(synced), where)
        except discord.HTTPException as exc:  # the bot still answers the commands Discord has
            log.error("slash command sync failed (%s %s); keeping the registered ones",
                      exc.status, exc.text)

    async def on_message(self, bot: commands.Bot | commands.AutoShardedBot, adapter: DiscordAdapter,
                         message: discord.Message) -> None:
        if not self.settings.message_content or message.author.bot or bot.user is None:
            return
        mentions = (f"<@{bot.user.id}>", f"<@!{bot.user.id}>")
        text = message.content.strip()
        prefix = next((m for m in mentions if text.startswith(m)), None)
        if prefix is None and message.guild is not None:
            return
        body = text[len(prefix):].strip() if prefix else text
        if body:
            await adapter.on_mention(message, body)


class _RefrainBehaviour:
    """What both bot classes do; discord.py's client classes supply the rest (mixed in first)."""

    _setup: _Setup
    adapter: DiscordAdapter

    def _attach(self, app: Refrain, settings: DiscordSettings, deliveries: DeliveryService | None,
                events: EventSource | None, orphan_grace_s: float) -> None:
        self._setup = _Setup(settings)
        self.adapter = DiscordAdapter(app, self._client, settings, deliveries=deliveries,
                                      events=events, orphan_grace_s=orphan_grace_s)

    @property
    def _client(self) -> commands.Bot | commands.AutoShardedBot:
        return cast("commands.Bot | commands.AutoShardedBot", self)

    async def setup_hook(self) -> None:
        await self._setup.setup(self._client, self.adapter)

    async def on_message(self, message: discord.Message, /) -> None:
        await self._setup.on_message(self._client, self.adapter, message)

    async def on_entitlement_create(self, entitlement: discord.Entitlement) -> None:
        await self.adapter.premium.apply(entitlement)

    async def on_entitlement_update(self, entitlement: discord.Entitlement) -> None:
        await self.adapter.premium.apply(entitlement)

    async def on_entitlement_delete(self, entitlement: discord.Entitlement) -> None:
        await self.adapter.premium.apply(entitlement, deleted=True)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        self.adapter.removed_guilds.add(guild.id)

    async def on_ready(self) -> None:
        """Once per process (READY repeats on reconnects): hand over clips missed while down."""
        if getattr(self, "_handed_over", False):
            return
        self._handed_over = True
        await self.adapter.hand_over_missed()

    async def close(self) -> None:
        await _let_handlers_finish(SHUTDOWN_GRACE_S)
        if self.adapter.tracker is not None:
            await self.adapter.tracker.stop()
        await cast(Any, super()).close()  # the discord.py client class after this one in the MRO


SHUTDOWN_GRACE_S = 5.0
_HANDLER_TASKS = ("discord.py: ", "CommandTree-invoker", "discord-ui-view-dispatch")
"""The names discord.py gives the tasks that run our event, command and button handlers."""


async def _let_handlers_finish(grace_s: float) -> None:
    """Let what is being answered finish before the client closes (bounded by ``grace_s``).

    discord.py does not wait for its handler tasks; one cut off when the event
    loop ends would leave its database transaction (a submit, a hand-over)
    half done and its connection unreturned. Whatever outlasts the grace is
    cancelled, which unwinds it like any cancelled call.
    """
    me = asyncio.current_task()
    running = [
        task
        for task in asyncio.all_tasks()
        if task is not me and not task.done() and task.get_name().startswith(_HANDLER_TASKS)
    ]
    if not running:
        return
    _, late = await asyncio.wait(running, timeout=grace_s)
    for task in late:
        task.cancel()
    if late:
        log.warning("%d handler(s) still running at shutdown were cancelled", len(late))
        await asyncio.wait(late, timeout=1.0)


class RefrainBot(_RefrainBehaviour, commands.Bot):
    """One gateway connection."""

    def __init__(self, app: Refrain, settings: DiscordSettings, *, deliveries: DeliveryService | None,
                 events: EventSource | None, orphan_grace_s: float = 5.0,
                 **client_options: Any) -> None:
        super().__init__(command_prefix=commands.when_mentioned, help_command=None,
                         intents=intents_for(settings), tree_cls=RefrainTree, **client_options)
        self._attach(app, settings, deliveries, events, orphan_grace_s)


class ShardedRefrainBot(_RefrainBehaviour, commands.AutoShardedBot):
    """Several shards in one process (``discord.shard_count``)."""

    def __init__(self, app: Refrain, settings: DiscordSettings, *, deliveries: DeliveryService | None,
                 events: EventSource | None, orphan_grace_s: float = 5.0,
                 **client_options: Any) -> None:
        super().__init__(command_prefix=commands.when_mentioned, help_command=None,
                         intents=intents_for(settings), tree_cls=RefrainTree,
                         shard_count=settings.shard_count, **client_options)
        self._attach(app, settings, deliveries, events, orphan_grace_s)


def build_bot(app: Refrain, settings: DiscordSettings, *,
              deliveries: DeliveryService | None = None, events: EventSource | None = None,
              orphan_grace_s: float = 5.0,
              **client_options: Any) -> RefrainBot | ShardedRefrainBot:
    """The bot over ``app``'s use cases; ``deliveries`` and ``events`` default to the app's.

    ``client_options`` go to discord.py (tests shorten ``guild_ready_timeout``).
    """
    deliveries = deliveries if deliveries is not None else app.deliveries
    events = events if events is not None else app.events
    cls = ShardedRefrainBot if settings.shard_count else RefrainBot
    return cls(app, settings, deliveries=deliveries, events=events,
               orphan_grace_s=orphan_grace_s, **client_options)
