"""The slash commands, one cog per area: covers, information, moderation.

Each command turns its options into the text the grammar reads
(``cover "Golden Hour" style:lofi``) and hands it to the adapter, which asks
``ChatHandler``. Choices come from autocomplete; what is finally allowed is
always decided by the use cases.
"""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.adapter import DiscordAdapter
from bots.discord.autocomplete import (
    all_style_choices,
    song_choices,
    style_choices,
    voice_choices,
)
from bots.discord.invocation import command_text, cover_text, quoted, song_and_artist

Interaction = discord.Interaction[Any]
Choices = list[app_commands.Choice[str]]


class _Cog(commands.Cog):
    def __init__(self, adapter: DiscordAdapter) -> None:
        self.adapter = adapter


class CoverCog(_Cog, name="Covers"):
    """``/cover`` and ``/remix``: the two ways to ask for a clip."""

    @app_commands.command(name="cover", description="A licensed cover of a catalog song")
    @app_commands.describe(
        song="A song from the licensed catalog",
        style="A style this song's license allows",
        voice="A consented voice model (optional)",
        length="Seconds, e.g. 30 or 1:30 (optional)",
    )
    async def cover(self, interaction: Interaction, song: str, style: str | None = None,
                    voice: str | None = None, length: str | None = None) -> None:
        await self.adapter.command(
            interaction, cover_text("cover", song, style=style, voice=voice, length=length)
        )

    @app_commands.command(name="remix", description="A remix of a catalog recording")
    @app_commands.describe(song="A song from the licensed catalog", style="The remix style",
                           length="Seconds, e.g. 30 (optional)")
    async def remix(self, interaction: Interaction, song: str, style: str | None = None,
                    length: str | None = None) -> None:
        await self.adapter.command(interaction, cover_text("remix", song, style=style,
                                                           length=length))

    @cover.autocomplete("song")
    @remix.autocomplete("song")
    async def _songs(self, interaction: Interaction, current: str) -> Choices:
        return await song_choices(self.adapter.app, interaction, current)

    @cover.autocomplete("style")
    @remix.autocomplete("style")
    async def _styles(self, interaction: Interaction, current: str) -> Choices:
        return await style_choices(self.adapter.app, interaction, current)

    @cover.autocomplete("voice")
    async def _voices(self, interaction: Interaction, current: str) -> Choices:
        return await voice_choices(self.adapter.app, interaction, current)


class InfoCog(_Cog, name="Info"):
    """What one can ask for, one's own requests, and tracing a clip."""

    @app_commands.command(name="styles", description="Styles, or those a song allows here")
    @app_commands.describe(song="A catalog song (optional)")
    async def styles(self, interaction: Interaction, song: str | None = None) -> None:
        await self.adapter.command(interaction, _with_song("styles", song), public=False)

    @app_commands.command(name="voices", description="Consented voices, or those a song allows")
    @app_commands.describe(song="A catalog song (optional)")
    async def voices(self, interaction: Interaction, song: str | None = None) -> None:
        await self.adapter.command(interaction, _with_song("voices", song), public=False)

    @styles.autocomplete("song")
    @voices.autocomplete("song")
    async def _songs(self, interaction: Interaction, current: str) -> Choices:
        return await song_choices(self.adapter.app, interaction, current)

    @app_commands.command(name="quota", description="Your render-seconds left")
    async def quota(self, interaction: Interaction) -> None:
        await self.adapter.command(interaction, "quota", public=False)

    @app_commands.command(name="premium", description="Paid plans: more render time, longer clips")
    async def premium(self, interaction: Interaction) -> None:
        await self.adapter.command(interaction, "upgrade", public=False)

    @app_commands.command(name="status", description="Your latest requests, or one by id")
    @app_commands.describe(request="A request id such as 1a2b3c4d (optional)")
    async def status(self, interaction: Interaction, request: str | None = None) -> None:
        await self.adapter.command(interaction, command_text("status", request), public=False)

    @app_commands.command(name="cancel", description="Cancel one of your requests")
    @app_commands.describe(request="The request id (see /status)")
    async def cancel(self, interaction: Interaction, request: str) -> None:
        await self.adapter.command(interaction, command_text("cancel", request), public=False)

    @app_commands.command(name="trace", description="Is this a genuine Refrain clip? Whose copy?")
    @app_commands.describe(file="The audio file to identify")
    async def trace(self, interaction: Interaction, file: discord.Attachment) -> None:
        await self.adapter.trace(interaction, file)

    @app_commands.command(name="help", description="What Refrain can do")
    @app_commands.describe(topic="A command, e.g. cover (optional)")
    async def help(self, interaction: Interaction, topic: str | None = None) -> None:
        await self.adapter.command(interaction, command_text("help", topic), public=False)

    @app_commands.command(name="terms", description="Read or accept the terms of use")
    async def terms(self, interaction: Interaction,
                    accept: Literal["accept"] | None = None) -> None:
        await self.adapter.command(interaction, command_text("terms", accept), public=False)


def _with_song(verb: str, song: str | None) -> str:
    if not song or not song.strip():
        return verb
    title, _ = song_and_artist(song)
    return f"{verb} {quoted(title)}"


class ModerationCog(_Cog, name="Moderation"):
    """``/refrain settings …``, ``/refrain audit``, ``/refrain reports`` for moderators.

    Hidden by default from members without Manage Server; server admins can
    allow a moderator role in Server Settings → Integrations. Whether the
    person may change anything is still checked by the handler.
    """

    refrain = app_commands.Group(
        name="refrain", description="Refrain moderation", guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )
    settings = app_commands.Group(name="settings", description="This server's Refrain settings",
                                  parent=refrain)

    async def _set(self, interaction: Interaction, *words: str) -> None:
        await self.adapter.command(interaction, " ".join(["settings", *words]), public=False)

    @refrain.command(name="premium", description="The paid plans fans can buy here")
    async def premium(self, interaction: Interaction) -> None:
        await self.adapter.command(interaction, "upgrade", public=False)

    @settings.command(name="show", description="The current settings")
    async def show(self, interaction: Interaction) -> None:
        await self._set(interaction)

    @settings.command(name="styles", description="Allowed styles: a list, all or none")
    @app_commands.describe(value="e.g. lofi, acoustic — or all / none")
    async def styles(self, interaction: Interaction, value: str) -> None:
        await self._set(interaction, "styles", value)

    @settings.command(name="disable-style", description="Switch one style off here")
    async def disable_style(self, interaction: Interaction, style: str) -> None:
        await self._set(interaction, "disable-style", style)

    @settings.command(name="enable-style", description="Switch one style on again")
    async def enable_style(self, interaction: Interaction, style: str) -> None:
        await self._set(interaction, "enable-style", style)

    @disable_style.autocomplete("style")
    @enable_style.autocomplete("style")
    async def _style_names(self, interaction: Interaction, current: str) -> Choices:
        return all_style_choices(current)

    @settings.command(name="voices", description="Allowed voices: names separated by commas, all or none")
    async def voices(self, interaction: Interaction, value: str) -> None:
        await self._set(interaction, "voices", value)

    @settings.command(name="channels", description="Channels where covers may be asked for")
    @app_commands.describe(value="#covers #music — or all")
    async def channels(self, interaction: Interaction, value: str) -> None:
        await self._set(interaction, "channels", value)

    @settings.command(name="max-length", description="Longest clip in seconds, or off")
    async def max_length(self, interaction: Interaction, seconds: str) -> None:
        await self._set(interaction, "max-length", seconds)

    @settings.command(name="cooldown", description="Seconds between one member's requests, or off")
    async def cooldown(self, interaction: Interaction, seconds: str) -> None:
        await self._set(interaction, "cooldown", seconds)

    @settings.command(name="pool", description="Render-seconds per day for the whole server, or off")
    async def pool(self, interaction: Interaction, seconds: str) -> None:
        await self._set(interaction, "pool", seconds)

    @settings.command(name="user-limit",
                      description="Render-seconds per member per day within the pool, or off")
    async def user_limit(self, interaction: Interaction, seconds: str) -> None:
        await self._set(interaction, "user-limit", seconds)

    @settings.command(name="server-country", description="Default country (ISO code) or clear")
    async def server_country(self, interaction: Interaction, code: str) -> None:
        await self._set(interaction, "server-country", code)

    @settings.command(name="ban", description="Stop a member from using Refrain here")
    async def ban(self, interaction: Interaction, user: discord.User) -> None:
        await self._set(interaction, "ban", f"<@{user.id}>")

    @settings.command(name="unban", description="Let a banned member use Refrain again")
    async def unban(self, interaction: Interaction, user: discord.User) -> None:
        await self._set(interaction, "unban", f"<@{user.id}>")

    @settings.command(name="nsfw-filter", description="Refuse songs their label marks explicit: on or off")
    async def nsfw_filter(self, interaction: Interaction, state: Literal["on", "off"]) -> None:
        await self._set(interaction, "nsfw-filter", state)

    @refrain.command(name="audit", description="Who changed which setting")
    @app_commands.describe(limit="How many entries (1–100)")
    async def audit(self, interaction: Interaction,
                    limit: app_commands.Range[int, 1, 100] = 20) -> None:
        await self.adapter.command(interaction, f"audit {limit}", public=False)

    @refrain.command(name="reports", description="Clips members reported")
    async def reports(self, interaction: Interaction) -> None:
        await self.adapter.reports(interaction)

    @refrain.command(name="resolve", description="Close a report")
    @app_commands.describe(report="The report id (or its short form)", note="What was done")
    async def resolve(self, interaction: Interaction, report: str, note: str | None = None) -> None:
        await self.adapter.resolve_report(interaction, report, note)
