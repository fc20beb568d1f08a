"""Asking again from a delivered clip: the same song in another style, or another take.

One rule for every platform's buttons ("Other style", "Regenerate"): the
fan keeps the song, the voice and the length they chose; "other style" asks
for a style (the grammar's question lists the licensed ones), "regenerate"
keeps the style and asks for the next take — a new seed, so new audio
rather than the cached master. A clip whose voice was since removed becomes
a plain cover of the song. Adapters only put these commands behind buttons.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.commands import MAX_TAKE, CoverCommand, format_command
from core.model import Clip, Transformation
from core.ports import Stores


@dataclass(frozen=True)
class Remakes:
    """The commands behind a clip's two "ask again" buttons."""

    clip_id: str
    song_title: str
    other_style: CoverCommand
    regenerate: CoverCommand

    @property
    def other_style_text(self) -> str:
        return format_command(self.other_style)

    @property
    def regenerate_text(self) -> str:
        return format_command(self.regenerate)


class RemakeRule:
    """Reads what made a clip and words the commands that make it again."""

    def __init__(self, stores: Stores) -> None:
        self._stores = stores

    async def of_delivery(self, delivery_id: str) -> Remakes | None:
        """The remakes of the clip a delivery is a copy of; ``None`` when it is gone."""
        delivery = await self._stores.deliveries.get(delivery_id)
        return None if delivery is None else await self.of_clip(delivery.clip_id)

    async def of_clip(self, clip_id: str) -> Remakes | None:
        """The remakes of ``clip_id``; ``None`` when the clip or its song is gone."""
        clip = await self._stores.clips.get(clip_id)
        if clip is None:
            return None
        recording = await self._stores.catalog.get_recording(clip.recording_id)
        if recording is None:
            return None
        request = await self._stores.requests.get(clip.request_id)
        voice = await self._voice_name(clip)
        transformation = clip.transformation
        if transformation is Transformation.VOICE_SWAP and voice is None:
            transformation = Transformation.COVER  # the voice is gone: a plain cover
        try:
            base = CoverCommand(
                song=recording.title,
                artist=recording.artist,
                voice=voice if transformation is Transformation.VOICE_SWAP else None,
                seconds=request.seconds if request is not None else None,
                transformation=transformation,
            )
            again = CoverCommand(
                song=base.song,
                artist=base.artist,
                style=clip.style,
                voice=base.voice,
                seconds=base.seconds,
                transformation=transformation,
                take=min(MAX_TAKE, (request.variation if request is not None else 0) + 2),
            )
        except ValueError:  # a stored value the grammar cannot say any more
            return None
        return Remakes(clip.id, recording.title, base, again)

    async def _voice_name(self, clip: Clip) -> str | None:
        if clip.voice_model_id is None:
            return None
        model = await self._stores.catalog.get_voice_model(clip.voice_model_id)
        return model.name if model is not None else None
