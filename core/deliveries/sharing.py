"""From a share id or delivery id to everything a share page or a clip response needs.

Whether a clip may still be served is ``availability``'s rule, the same one
the bots apply; credits are ``credits``'. The web keeps a short cache in
front of this (a busy link is opened hundreds of times a minute).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.deliveries.availability import withdrawn_reason
from core.deliveries.credits import Credits, credits_for
from core.model import Clip, Delivery, PartyKind, RightType, SubjectKind
from core.ports import BlobStore, Stores


@dataclass(frozen=True)
class SharedClip:
    """A delivery with its credits, its file and, when it may no longer be served, why not."""

    delivery: Delivery
    clip: Clip
    credits: Credits
    writers: tuple[str, ...]
    voice: str | None
    path: Path
    gone: str | None

    @property
    def heading(self) -> str:
        """'Golden Hour (Lo-fi cover)': the title every other door gives the clip too."""
        return self.credits.title

    @property
    def duration_ms(self) -> int:
        return round(self.clip.duration_s * 1000)


class SharedCopies:
    """Looks a shared copy up, with what its page shows (six tables; the web caches it)."""

    def __init__(self, stores: Stores, blobs: BlobStore) -> None:
        self._stores = stores
        self._blobs = blobs

    async def lookup(self, ident: str, *, by_share: bool) -> SharedClip | None:
        deliveries = self._stores.deliveries
        delivery = await (deliveries.by_share_id(ident) if by_share else deliveries.get(ident))
        return None if delivery is None else await self._load(delivery)

    async def _load(self, delivery: Delivery) -> SharedClip | None:
        stores = self._stores
        clip = await stores.clips.get(delivery.clip_id)
        if clip is None:
            return None
        recording = await stores.catalog.get_recording(clip.recording_id)
        voice = None
        if clip.voice_model_id is not None:
            model = await stores.catalog.get_voice_model(clip.voice_model_id)
            voice = model.name if model is not None else None
        return SharedClip(
            delivery=delivery,
            clip=clip,
            credits=await credits_for(clip, stores.catalog),
            writers=await self._writers(recording.work_id) if recording is not None else (),
            voice=voice,
            path=self._blobs.path_of(delivery.sha256),
            gone=await withdrawn_reason(clip, stores),
        )

    async def _writers(self, work_id: str) -> tuple[str, ...]:
        """Songwriters credited on the work (publishers are not 'writers')."""
        catalog = self._stores.catalog
        names: list[str] = []
        for share in await catalog.shares_for(SubjectKind.WORK, work_id):
            if share.right not in (RightType.PERF, RightType.MECH):
                continue
            party = await catalog.get_party(share.party_id)
            if party is not None and party.kind is PartyKind.SONGWRITER and party.name not in names:
                names.append(party.name)
        return tuple(names)
