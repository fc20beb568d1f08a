"""Autocomplete for slash options: songs from the licensed catalog, then what each song allows.

Answers must come within 3 seconds, so only the catalog index and the
license/policy look-ups the use cases already offer are used; nothing is
decided here that ``/cover`` itself would not decide.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bots.discord.invocation import SONG_SEPARATOR, requester_for, scope_for, song_and_artist
from core.model import Recording
from core.service import Refrain
from core.stylebook import selectable_styles, style_name

MAX_CHOICES = 25


def _choice(name: str, value: str) -> app_commands.Choice[str]:
    return app_commands.Choice(name=name[:100], value=value[:100])


async def song_choices(
    app: Refrain, interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Licensed songs matching what was typed (``core.requests.Choices`` decides which)."""
    scope = scope_for(interaction.guild_id, interaction.user.id)
    songs = await app.choices.songs(current, scope, MAX_CHOICES)
    return [_choice(f"{s.title}{SONG_SEPARATOR}{s.artist}", f"{s.title}{SONG_SEPARATOR}{s.artist}")
            for s in songs]


async def _song(app: Refrain, interaction: discord.Interaction[Any]) -> Recording | None:
    typed = getattr(interaction.namespace, "song", None)
    if not isinstance(typed, str) or not typed.strip():
        return None
    title, artist = song_and_artist(typed)
    return await app.choices.song(title, artist)


def _matches(current: str, *names: str) -> bool:
    wanted = current.strip().casefold()
    return not wanted or any(wanted in n.casefold() for n in names)


async def style_choices(app: Refrain, interaction: discord.Interaction[Any],
                        current: str) -> list[app_commands.Choice[str]]:
    """Styles this song's license (and this server) allows; every style before a song is picked."""
    recording = await _song(app, interaction)
    scope = scope_for(interaction.guild_id, interaction.user.id)
    styles = await app.choices.styles(recording, scope)
    return [_choice(style_name(s), s) for s in styles if _matches(current, s, style_name(s))][
        :MAX_CHOICES
    ]


async def voice_choices(app: Refrain, interaction: discord.Interaction[Any],
                        current: str) -> list[app_commands.Choice[str]]:
    """The voices ``/cover`` would let this fan use here for the song (and style) picked."""
    recording = await _song(app, interaction)
    style = getattr(interaction.namespace, "style", None)
    who = requester_for(interaction)
    voices = await app.choices.voices(
        recording, who, style if isinstance(style, str) and style else None
    )
    return [_choice(v.name, v.name) for v in voices if _matches(current, v.name)][:MAX_CHOICES]


def all_style_choices(current: str) -> list[app_commands.Choice[str]]:
    return [_choice(style_name(s), s) for s in selectable_styles()
            if _matches(current, s, style_name(s))][:MAX_CHOICES]
