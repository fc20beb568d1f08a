"""The words that travel with a clip: title, performer and the credits line."""

from __future__ import annotations

from dataclasses import dataclass

from core.entitlements import scope_of
from core.model import Clip, PartyKind, RightType, SubjectKind
from core.ports import CatalogRepository
from core.stylebook import style_name as display_style


@dataclass(frozen=True)
class Credits:
    title: str  # "Golden Hour (lofi cover)"
    performer: str  # "Refrain cover of Mara Vell"
    line: str  # writers · original artist · style · voice · licensed cover via Refrain
    song_title: str
    artist: str
    style_name: str
    voice_owner: str | None


async def credits_for(clip: Clip, catalog: CatalogRepository) -> Credits:
    """Credits for ``clip``, from the catalog as it is now (names may be corrected later)."""
    recording = await catalog.get_recording(clip.recording_id)
    song = recording.title if recording else "Unknown song"
    artist = recording.artist if recording else "unknown artist"
    writers: list[str] = []
    if recording is not None:
        for share in await catalog.shares_for(SubjectKind.WORK, recording.work_id):
            if share.right not in (RightType.PERF, RightType.MECH):
                continue
            party = await catalog.get_party(share.party_id)
            if party is not None and party.kind is PartyKind.SONGWRITER and party.name not in writers:
                writers.append(party.name)
    style_name = display_style(clip.style)
    voice_owner: str | None = None
    voice_part = ""
    if clip.voice_model_id:
        voice = await catalog.get_voice_model(clip.voice_model_id)
        if voice is not None:
            owner = await catalog.get_party(voice.owner_party_id)
            voice_owner = owner.name if owner else voice.name
            scope = scope_of(voice).describe()
            voice_part = f"voice of {voice.name} (owner {voice_owner}; consent: {scope})"
    parts = []
    if writers:
        parts.append("Written by " + ", ".join(writers))
    parts.append(f"original by {artist}")
    parts.append(f"{style_name} style")
    if voice_part:
        parts.append(voice_part)
    parts.append("licensed cover via Refrain")
    return Credits(
        title=f"{song} ({style_name} cover)",
        performer=f"Refrain cover of {artist}",
        line=" · ".join(parts),
        song_title=song,
        artist=artist,
        style_name=style_name,
        voice_owner=voice_owner,
    )
