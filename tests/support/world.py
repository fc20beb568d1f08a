"""A small Refrain world for use-case and adapter tests.

A fresh SQLite database with the demo catalog's rights data (no audio: the
entitlement rules do not need it), an in-memory queue and a manual clock set
to noon UTC so quota periods are predictable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bots.console import ConsoleSession
from config import RefrainSettings
from core.catalog.demo import demo_catalog
from core.clock import ManualClock
from core.model import LicenseTerms, Recording, Transformation
from core.ports import CatalogBatch
from core.stylebook import selectable_styles
from jobs.memory import InMemoryQueue
from refrain.app import App, open_app
from refrain.demo import DemoSongs, pick_songs
from storage.migrate import upgrade

NOON = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@dataclass
class ConsoleWorld:
    app: App
    clock: ManualClock
    queue: InMemoryQueue
    batch: CatalogBatch
    songs: DemoSongs

    def session(
        self, user: str, *, moderator: bool = False, channel: str = "general"
    ) -> ConsoleSession:
        return ConsoleSession(
            self.app.handler.handle, user, "testguild", moderator=moderator, channel=channel
        )

    def recording_titled(self, title: str) -> Recording:
        return next(r for r in self.batch.recordings if r.title == title)

    def _license(self, recording_id: str) -> LicenseTerms:
        return dict(self.batch.licenses)[recording_id]

    def restricted_style_song(self) -> tuple[str, frozenset[str], str]:
        """A worldwide COVER-licensed song whose license names its styles, and a style it lacks."""
        hidden = self.hidden_ids()
        for recording in self.batch.recordings:
            terms = self._license(recording.id)
            if (
                recording.id not in hidden
                and terms.styles is not None
                and Transformation.COVER in terms.transformations
                and "WW" in terms.territories
            ):
                missing = next(s for s in selectable_styles() if s not in terms.styles)
                return recording.title, terms.styles, missing
        raise LookupError("demo catalog has no style-restricted song")

    def song_without_voice(self, voice_name: str) -> str:
        voice = next(v for v in self.batch.voice_models if v.name == voice_name)
        hidden = self.hidden_ids()
        for recording in self.batch.recordings:
            terms = self._license(recording.id)
            if (
                recording.id not in hidden
                and voice.id not in terms.voice_models
                and "WW" in terms.territories
            ):
                return recording.title
        raise LookupError("every song allows that voice")

    def hidden_ids(self) -> set[str]:
        out = {d.subject_id for d in self.batch.opt_declarations if not d.opted_in}
        return out | {r.id for r in self.batch.recordings if r.work_id in out}

    def opted_out_title(self) -> str:
        hidden = self.hidden_ids()
        return next(r.title for r in self.batch.recordings if r.id in hidden)


@asynccontextmanager
async def console_world(tmp_path: Path, **overrides: Any) -> AsyncIterator[ConsoleWorld]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'world.db'}"
    await upgrade(url)
    settings = RefrainSettings(database_url=url, blobs_dir=tmp_path / "blobs", **overrides)
    batch = demo_catalog().batch
    clock = ManualClock(NOON)
    async with open_app(settings, clock=clock) as seed_app:
        await seed_app.stores.catalog.import_batch(batch, clock.now())
    queue = InMemoryQueue()
    async with open_app(settings, queue=queue, clock=clock) as app:
        yield ConsoleWorld(app, clock, queue, batch, pick_songs(batch))
