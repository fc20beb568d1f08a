"""Discord input → the neutral ``Invocation``: slash options become command text.

The grammar in ``core.commands`` already reads Discord's ``name:value``
rendering of a slash command, so an adapter only has to quote values and
say who is asking, where. The interaction (or message) id is the
idempotency key: a replayed gateway event never makes a second request.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

import discord

from core.chat import Invocation
from core.requests import Requester

PLATFORM = "discord"

_QUOTES = (('"', '"'), ("«", "»"), ("「", "」"), ("“", "”"))


def scope_for(guild_id: int | None, user_id: int) -> str:
    """A server's policy scope; a DM is a scope of its own per user."""
    return f"{PLATFORM}:{guild_id}" if guild_id is not None else f"{PLATFORM}:dm:{user_id}"


def quoted(value: str) -> str:
    """``value`` in a quote pair it does not contain, so the grammar reads it back whole."""
    value = " ".join(value.split())
    for opener, closer in _QUOTES:
        if opener not in value and closer not in value:
            return f"{opener}{value}{closer}"
    return '"' + value.replace('"', "'") + '"'


def command_text(verb: str, *words: str | None, **options: str | int | None) -> str:
    """``verb word… key:value…``; free-text values are quoted, numbers are not."""
    parts = [verb, *(w for w in words if w)]
    for key, value in options.items():
        if value is None or value == "":
            continue
        rendered = str(value) if isinstance(value, int) else quoted(value)
        parts.append(f"{key}:{rendered}")
    return " ".join(parts)


SONG_SEPARATOR = " — "
"""Autocomplete offers ``Title — Artist``; picking one names the exact recording."""


def song_and_artist(value: str) -> tuple[str, str | None]:
    """Split an autocompleted ``Title — Artist``; text typed by hand stays one title."""
    title, sep, artist = value.rpartition(SONG_SEPARATOR)
    if sep and title.strip() and artist.strip():
        return title.strip(), artist.strip()
    return value.strip(), None


def cover_text(verb: str, song: str, *, style: str | None = None, voice: str | None = None,
               length: str | None = None) -> str:
    """``cover "Title" by "Artist" style:… voice:… length:…`` from slash-command options."""
    title, artist = song_and_artist(song)
    words = [quoted(title)] + (["by", quoted(artist)] if artist else [])
    text = command_text(verb, *words, style=style, voice=voice)
    if length and length.strip():
        text += f" length:{''.join(length.split())}"
    return text


def is_moderator(permissions: discord.Permissions, role_ids: Collection[int],
                 role_names: Collection[str], configured: Collection[str]) -> bool:
    """Manage Server, or one of the roles the deployment names (by id or by name)."""
    if permissions.manage_guild or permissions.administrator:
        return True
    wanted = {c.strip().casefold() for c in configured if c.strip()}
    have = {str(r) for r in role_ids} | {n.casefold() for n in role_names}
    return bool(wanted & have)


def member_roles(user: discord.abc.User) -> tuple[list[int], list[str]]:
    if isinstance(user, discord.Member):
        roles = [r for r in user.roles if not r.is_default()]
        ids = [r.id for r in roles]
        # roles of a member the cache does not know still arrive as ids
        ids += [int(r) for r in getattr(user, "_roles", ()) if int(r) not in ids]
        return ids, [r.name for r in roles]
    return [], []


def requester_for(interaction: discord.Interaction) -> Requester:
    """Who is typing (autocomplete asks what this person could pick, before any command)."""
    user = interaction.user
    return Requester(
        platform=PLATFORM,
        platform_user_id=str(user.id),
        display_name=user.display_name,
        scope_id=scope_for(interaction.guild_id, user.id),
        channel_id=str(interaction.channel_id) if interaction.channel_id else None,
        message_id=str(interaction.id),
    )


def invocation_for(
    interaction: discord.Interaction,
    text: str,
    *,
    moderator_roles: Collection[str],
    attachment: Path | None = None,
    message_id: str | None = None,
    raw: Mapping[str, object] | None = None,
) -> Invocation:
    """The neutral invocation for an interaction; ``message_id`` defaults to its id."""
    user = interaction.user
    ids, names = member_roles(user)
    return Invocation(
        platform=PLATFORM,
        message_id=message_id or str(interaction.id),
        user_id=str(user.id),
        user_name=user.display_name,
        scope_id=scope_for(interaction.guild_id, user.id),
        channel_id=str(interaction.channel_id) if interaction.channel_id else None,
        text=text,
        is_moderator=interaction.guild_id is not None
        and is_moderator(interaction.permissions, ids, names, moderator_roles),
        roles=frozenset(str(i) for i in ids),
        locale=str(interaction.locale),
        attachment=attachment,
        raw=dict(raw or {}),
    )


def message_invocation(message: discord.Message, text: str, *,
                       moderator_roles: Collection[str]) -> Invocation:
    """The same for an ``@Refrain cover …`` message (message-content intent)."""
    author = message.author
    ids, names = member_roles(author)
    permissions = (
        author.guild_permissions if isinstance(author, discord.Member) else discord.Permissions.none()
    )
    return Invocation(
        platform=PLATFORM,
        message_id=str(message.id),
        user_id=str(author.id),
        user_name=author.display_name,
        scope_id=scope_for(message.guild.id if message.guild else None, author.id),
        channel_id=str(message.channel.id),
        text=text,
        is_moderator=message.guild is not None
        and is_moderator(permissions, ids, names, moderator_roles),
        roles=frozenset(str(i) for i in ids),
    )
