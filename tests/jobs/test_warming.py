"""Warm stems: a recording imported without stems is separated before anyone asks,
and a fan asking for one still queued for warming goes to the front."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import numpy as np
import soundfile as sf

from config import RefrainSettings
from core.model import Recording
from engine.io import encode_flac_bytes
from engine.separation import InMemoryStemIndex, Separator, StemCache, load_separation_model
from engine.synth import SongSpec, render_song
from jobs import SeparatedStems
from refrain.app import open_app
from refrain.catalog_files import import_catalog_file
from refrain.stem_states import StemState, stem_state
from storage import FileStemIndex, LocalBlobStore
from storage.migrate import upgrade

CATALOG = """
[[parties]]
id = "p1"
name = "Pat"
kind = "LABEL"

[[works]]
id = "w1"
title = "Warm Song"
iswc = "T-300.400.501-6"

[[recordings]]
id = "r1"
work = "w1"
title = "Warm Song"
artist = "Pat"
isrc = "QZBF12400001"
duration_s = 3
audio = "song.flac"
"""


def song(seconds: float, seed: int = 5) -> np.ndarray:
    spec = SongSpec("Warm Song", 120, "A minor", ("Am", "F", "C", "G"), seconds)
    return np.ascontiguousarray(render_song(spec, seed).mix()[:, : int(seconds * 44_100)])


async def test_an_imported_recording_has_stems_ready_without_any_request(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'warm.db'}"
    await upgrade(url)
    settings = RefrainSettings(
        database_url=url, blobs_dir=tmp_path / "blobs", workers=0,
        separation_model="demucs_unittest", warm_interval_s=0.2,
    )
    mix = song(3.0)
    sf.write(str(tmp_path / "song.flac"), mix.T, 44_100)
    (tmp_path / "catalog.toml").write_text(CATALOG)
    async with open_app(settings, run_jobs=True) as app:
        summary = await import_catalog_file(app, tmp_path / "catalog.toml", fill_unclaimed=False)
        assert "1 queued for stem separation" in summary
        recording = await app.stores.catalog.get_recording("r1")
        assert recording is not None and recording.needs_separation

        async def ready() -> None:
            while await stem_state(app, recording) is not StemState.READY:
                await asyncio.sleep(0.1)

        await asyncio.wait_for(ready(), 120)
        key = app.warm_list.ready_key("r1")
        assert key is not None
        entry = await FileStemIndex(settings.blobs_dir / "stem-index").get(key)
        assert entry is not None and not entry.provided
        assert set(entry.stems) == {"drums", "bass", "other", "vocals"}
        for sha in entry.stems.values():
            stem, rate = sf.read(str(app.blobs.path_of(sha)), always_2d=True)
            assert rate == 44_100 and stem.shape == (mix.shape[1], 2)
        assert app.warm_list.queued() == []


class HeldSeparator:
    """The real tiny demucs, whose first separation waits until the test lets it go."""

    def __init__(self, separator: Separator) -> None:
        self._separator = separator
        self.gate = threading.Event()
        self.started = threading.Event()
        self.lengths: list[int] = []

    def separate(self, audio: np.ndarray, progress: object = None) -> dict[str, np.ndarray]:
        self.lengths.append(audio.shape[1])
        self.started.set()
        assert self.gate.wait(60)
        return self._separator.separate(audio)


async def test_a_fans_request_jumps_the_warm_queue(tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path / "blobs")
    separator = Separator(load_separation_model("demucs_unittest", tmp_path), device="cpu")
    held = HeldSeparator(separator)
    cache = StemCache(blobs, InMemoryStemIndex(), separator.samplerate)
    stems = SeparatedStems(blobs, cache, held, "demucs_unittest", "test")
    recordings = []
    for index, seconds in enumerate((1.0, 1.5, 2.0, 2.5)):
        sha = await blobs.put_bytes(encode_flac_bytes(song(seconds, seed=index)))
        recordings.append(Recording(f"r{index}", "w", f"Song {index}", "Pat", "QZBF12400001",
                                    seconds, audio_sha256=sha))
    lengths = [int(r.duration_s * 44_100) for r in recordings]
    warming = [asyncio.create_task(stems.warm(r)) for r in recordings]
    await asyncio.wait_for(asyncio.to_thread(held.started.wait, 30), 40)
    # r0 is separating; r1, r2, r3 wait in that order until a fan asks for r3
    assert stems.queue.waiting() == [stems.key_of(r) for r in recordings[1:]]

    async def progress(stage: str, percent: int) -> None:
        assert stage == "separating"

    fan = asyncio.create_task(stems.stem_paths(recordings[3], progress))
    await asyncio.sleep(0.05)
    assert stems.queue.waiting()[0] == stems.key_of(recordings[3])
    held.gate.set()
    paths = await asyncio.wait_for(fan, 60)
    await asyncio.wait_for(asyncio.gather(*warming), 60)
    assert held.lengths == [lengths[0], lengths[3], lengths[1], lengths[2]]  # r3 once, 2nd
    assert all(path.exists() for path in paths.values())
