"""A world where one catalog song has real (short) stems, so requests really render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bots.console import ConsoleSession
from config import RefrainSettings
from core.catalog.demo import demo_catalog
from core.clock import ManualClock
from engine.io import encode_flac_bytes
from engine.synth import SongSpec, render_song
from refrain.app import App, open_app
from refrain.demo import pick_songs
from storage.migrate import upgrade

NOON = datetime(2026, 11, 28, 12, tzinfo=UTC)


@dataclass
class RenderWorld:
    settings: RefrainSettings
    song: str


async def build_render_world(
    tmp_path: Path,
    song_seconds: float = 12.0,
    *,
    database_url: str | None = None,
    regional: bool = False,
) -> RenderWorld:
    """Demo rights data, and a short real song (true stems) behind the open song.

    ``database_url``: a migrated database to use instead of a new SQLite file.
    ``regional`` puts the song behind the demo's territory-limited song instead.
    """
    url = database_url or f"sqlite+aiosqlite:///{tmp_path / 'jobs.db'}"
    if database_url is None:
        await upgrade(url)
    settings = RefrainSettings(database_url=url, blobs_dir=tmp_path / "blobs", workers=0)
    batch = demo_catalog().batch
    songs = pick_songs(batch)
    title = songs.regional_song if regional else songs.open_song
    recording = next(r for r in batch.recordings if r.title == title)
    stems = render_song(SongSpec(recording.title, 120, "A minor", ("Am", "F", "C", "G"), song_seconds), 3)
    async with open_app(settings, clock=ManualClock(NOON)) as app:
        await app.stores.catalog.import_batch(batch, NOON)
        mix = await app.blobs.put_bytes(encode_flac_bytes(stems.mix()))
        shas = {n: await app.blobs.put_bytes(encode_flac_bytes(a)) for n, a in stems.stems.items()}
        await app.stores.catalog.set_recording_audio(recording.id, mix, shas)
    return RenderWorld(settings, title)


async def fan(app: App, name: str) -> ConsoleSession:
    session = ConsoleSession(app.handler.handle, name, "jobs")
    assert (await session.send("terms accept"))[0].code == "TERMS_ACCEPTED"
    return session


