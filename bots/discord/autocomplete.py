"""Autocomplete for slash options: songs from the licensed catalog, then what each song allows.

Answers must come within 3 seconds, so only the catalog index and the
license/policy look-ups the use cases already offer are used; nothing is
decided here that ``/cover`` itself would not decide.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bots.discord.invocation import SONG_SEPARATOR, scope_for, song_and_artist
from core.model import Recording
from core.stylebook import selectable_styles, style_name
from refrain.app import App

MAX_CHOICES = 25


def _choice(name: str, value: str) -> app_commands.Choice[str]:
    return app_commands.Choice(name=name[:100], value=value[:100])


async def song_choices(
    app: App, interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Licensed songs matching what was typed: opted-out ones never appear, nor explicit ones
    where the server filters them (``/cover`` would refuse them there)."""
    policy = await app.stores.policies.get(scope_for(interaction.guild_id, interaction.user.id))
    text = current.strip()
    if text:
        hits = [(h.recording_id, h.title, h.artist) for h in app.search(text, 2 * MAX_CHOICES)]
    else:
        recordings = await app.stores.catalog.list_recordings()
        hits = [(r.id, r.title, r.artist) for r in recordings if r.id not in app.hidden]

    if policy.nsfw_filter:  # the stored flag, not the index's start-up copy of it
        stored = [await app.stores.catalog.get_recording(rid) for rid, _, _ in hits]
        hits = [h for h, r in zip(hits, stored, strict=True) if r is None or not r.explicit]
    return [_choice(f"{title}{SONG_SEPARATOR}{artist}", f"{title}{SONG_SEPARATOR}{artist}")
            for _, title, artist in hits[:MAX_CHOICES]]


async def _song(app: App, interaction: discord.Interaction[Any]) -> Recording | None:
    typed = getattr(interaction.namespace, "song", None)
    if not isinstance(typed, str) or not typed.strip():
        return None
    title, artist = song_and_artist(typed)
    found = await app.service.resolve_song(title, artist)
    return found if isinstance(found, Recording) else None


def _matches(current: str, *names: str) -> bool:
    wanted = current.strip().casefold()
    return not wanted or any(wanted in n.casefold() for n in names)


async def style_choices(app: App, interaction: discord.Interaction[Any],
                        current: str) -> list[app_commands.Choice[str]]:
    """Styles this song's license (and this server) allows; every style before a song is picked."""
    recording = await _song(app, interaction)
    if recording is not None:
        scope = scope_for(interaction.guild_id, interaction.user.id)
        styles = list(await app.service.licensed_styles(recording, scope))
    else:
        styles = list(selectable_styles())
    return [_choice(style_name(s), s) for s in styles if _matches(current, s, style_name(s))][
        :MAX_CHOICES
    ]


async def voice_choices(app: App, interaction: discord.Interaction[Any],
                        current: str) -> list[app_commands.Choice[str]]:
    """Consented, unrevoked voices; only those the song's license names once a song is picked."""
    voices = [v for v in await app.stores.catalog.list_voice_models() if not v.revoked]
    recording = await _song(app, interaction)
    if recording is not None:
        license_ = await app.stores.catalog.current_license(recording.id)
        allowed = license_.terms.voice_models if license_ else frozenset()
        voices = [v for v in voices if v.id in allowed]
    return [_choice(v.name, v.name) for v in voices if _matches(current, v.name)][:MAX_CHOICES]


def all_style_choices(current: str) -> list[app_commands.Choice[str]]:
    return [_choice(style_name(s), s) for s in selectable_styles()
            if _matches(current, s, style_name(s))][:MAX_CHOICES]
