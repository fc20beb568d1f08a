"""What a fan may pick, offered before they ask: songs, styles and voices.

Autocomplete (Discord), keyboards (Telegram) and listings offer only what
``/cover`` would then grant, so each list is built from the rules the
entitlement engine applies: opted-out songs are never offered, nor explicit
ones where the server filters them; styles are the license's ∩ the opt-in's ∩
the server's; a voice must be licensed for the song, not withdrawn, within
its owner's consent (kind, style, country) and enabled on the server.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from core.catalog.search import CatalogIndex
from core.entitlements import server_allows, voices_in_scope
from core.model import WORLDWIDE, Recording, VoiceModel
from core.ports import Clock, Stores
from core.requests.requester import Requester
from core.requests.service import RequestService
from core.stylebook import ORIGINAL_STYLE, selectable_styles


@dataclass(frozen=True)
class SongChoice:
    recording_id: str
    title: str
    artist: str


class Choices:
    def __init__(
        self,
        stores: Stores,
        index: CatalogIndex,
        hidden: Set[str],
        requests: RequestService,
        clock: Clock,
    ) -> None:
        self._stores = stores
        self._index = index
        self._hidden = hidden
        self._requests = requests
        self._clock = clock

    async def songs(self, text: str, scope_id: str, limit: int) -> list[SongChoice]:
        """Licensed songs matching ``text`` (all of them, for an empty text), best first."""
        typed = text.strip()
        if typed:
            hits = self._index.search(typed, limit=2 * limit + len(self._hidden))
            found = [SongChoice(h.recording_id, h.title, h.artist) for h in hits]
        else:
            recordings = await self._stores.catalog.list_recordings()
            found = [SongChoice(r.id, r.title, r.artist) for r in recordings]
        found = [song for song in found if song.recording_id not in self._hidden]
        policy = await self._stores.policies.get(scope_id)
        if policy.nsfw_filter:  # the stored flag, not the index's start-up copy of it
            stored = [await self._stores.catalog.get_recording(s.recording_id) for s in found]
            found = [s for s, r in zip(found, stored, strict=True) if r is None or not r.explicit]
        return found[:limit]

    async def song(self, title: str, artist: str | None) -> Recording | None:
        """The one recording a typed title (and artist) names, if it names exactly one."""
        found = await self._requests.resolve_song(title, artist)
        return found if isinstance(found, Recording) else None

    async def styles(self, recording: Recording | None, scope_id: str) -> list[str]:
        """Style ids a fan may pick here for ``recording``; every style before a song is picked."""
        if recording is None:
            return list(selectable_styles())
        return list(await self._requests.licensed_styles(recording, scope_id))

    async def voices(
        self, recording: Recording | None, who: Requester, style: str | None = None
    ) -> list[VoiceModel]:
        """Voices ``/cover`` would let ``who`` use for ``recording`` (in ``style``, else the
        original arrangement a voice cover gets without one), by name."""
        now = self._clock.now()
        models = await self._stores.catalog.list_voice_models()
        policy = await self._stores.policies.get(who.scope_id)
        user = await self._stores.users.find(who.platform, who.platform_user_id)
        territory = (user.country if user else None) or policy.default_country or WORLDWIDE
        wanted = style or ORIGINAL_STYLE
        if recording is not None:
            license_ = await self._stores.catalog.current_license(recording.id)
            if license_ is None:
                return []
            licensed: frozenset[str] = license_.terms.voice_models
        else:
            licensed = frozenset(model.id for model in models)
        offered = voices_in_scope(models, licensed, now, style=wanted, territory=territory)
        return [voice for voice in offered if server_allows(policy.allowed_voices, voice)]
