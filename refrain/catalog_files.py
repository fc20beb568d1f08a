"""Bringing catalog files and audio into storage: the I/O side of catalog import.

Parsing and validation are pure (``core.catalog.importer``); this module reads
the file, checks it against the stored catalog, decodes every audio file, and
only when all of that passed puts the audio in the content-addressed blob
store and imports the batch in one transaction: a refused file leaves the
database and the blob store exactly as they were.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterable
from pathlib import Path

from core.catalog import (
    CatalogFile,
    CatalogImportError,
    ImportIssue,
    clashes_with_catalog,
    demo_catalog,
    parse_catalog_file,
)
from core.model import Recording
from core.ports import CatalogBatch
from engine import SongSpec, encode_flac_bytes, load_audio, render_song
from refrain.app import App
from storage import StorageConflict

MAX_IMPORT_AUDIO_SECONDS = 15 * 60


def _audio_files(parsed: CatalogFile) -> list[tuple[str, str | None, Path]]:
    """(recording id, stem name or None for the mix, path) of every audio file the file names."""
    files: list[tuple[str, str | None, Path]] = [
        (recording_id, None, path) for recording_id, path in parsed.audio_paths.items()
    ]
    for recording_id, stem_paths in parsed.stem_paths.items():
        files += [(recording_id, stem, path) for stem, path in stem_paths.items()]
    return files


async def _audio_issues(parsed: CatalogFile) -> list[ImportIssue]:
    """An issue for every audio file that does not decode (none is stored yet)."""
    issues = []
    for recording_id, stem, path in _audio_files(parsed):
        try:
            await asyncio.to_thread(load_audio, path, max_seconds=MAX_IMPORT_AUDIO_SECONDS)
        except Exception as exc:  # every unreadable file is reported, whatever the decoder says
            what = f"stem {stem}: {exc}" if stem else str(exc)
            issues.append(ImportIssue(parsed.lines.get(recording_id, 0), what))
    return issues


async def _store_audio(app: App, parsed: CatalogFile) -> CatalogBatch:
    """Put every (checked) audio file in the blob store; the batch with their addresses."""
    audio: dict[str, str] = {}
    stems: dict[str, dict[str, str]] = {}
    for recording_id, stem, path in _audio_files(parsed):
        sha256 = await app.blobs.put_file(path)
        if stem is None:
            audio[recording_id] = sha256
        else:
            stems.setdefault(recording_id, {})[stem] = sha256
    recordings = [
        dataclasses.replace(
            r,
            audio_sha256=audio.get(r.id, r.audio_sha256),
            stems=stems.get(r.id, dict(r.stems)),
        )
        for r in parsed.batch.recordings
    ]
    return dataclasses.replace(parsed.batch, recordings=recordings)


async def import_catalog_file(app: App, file: Path, *, fill_unclaimed: bool) -> str:
    """Check everything, then store; returns a one-line summary for the user.

    Raises:
        CatalogImportError: naming ``file`` as given, with every problem found.
    """
    name = str(file)
    data = await asyncio.to_thread(file.read_bytes)
    parsed = parse_catalog_file(
        data, name=name, base_dir=file.parent, fill_unclaimed=fill_unclaimed
    )
    catalog = app.stores.catalog
    issues = clashes_with_catalog(
        parsed, await catalog.list_recordings(), await catalog.list_works()
    )
    issues += await _audio_issues(parsed)
    if issues:
        raise CatalogImportError(issues, name)
    batch = await _store_audio(app, parsed)
    try:
        await catalog.import_batch(batch, app.clock.now())
    except StorageConflict as exc:  # what only the database sees (codes swapped between ids)
        raise CatalogImportError([ImportIssue(0, f"{exc}; nothing was imported")], name) from exc
    warming = await queue_for_warming(app, batch.recordings)
    return (
        f"imported {len(batch.recordings)} recordings, {len(batch.works)} works, "
        f"{len(batch.parties)} parties, {len(batch.licenses)} licenses from {name}"
        + (f"; {warming} queued for stem separation" if warming else "")
    )


async def queue_for_warming(app: App, recordings: Iterable[Recording]) -> int:
    """Put the recordings that need separating on the warm list; how many were added.

    The process that renders (``refrain serve`` or a worker) separates them
    ahead of any fan's request; this one, if it renders, is told at once.
    """
    added = 0
    for recording in recordings:
        if recording.needs_separation and await asyncio.to_thread(app.warm_list.add, recording.id):
            added += 1
    if added and app.warmer is not None:
        app.warmer.wake()
    return added


async def install_demo_catalog(app: App) -> str:
    """Synthesize the demo songs (mix + true stems) and import their rights data.

    Audio is deterministic from each song's seed, so running this twice stores
    the same blobs and changes nothing.
    """
    demo = demo_catalog()
    by_id = {song.recording_id: song for song in demo.songs}
    recordings = []
    for recording in demo.batch.recordings:
        song = by_id[recording.id]
        spec = SongSpec(song.title, song.tempo_bpm, song.key, tuple(song.progression),
                        recording.duration_s)
        rendered = await asyncio.to_thread(render_song, spec, song.seed)
        mix_sha = await app.blobs.put_bytes(encode_flac_bytes(rendered.mix()))
        stem_shas = {
            name: await app.blobs.put_bytes(encode_flac_bytes(audio))
            for name, audio in rendered.stem_audio().items()
        }
        recordings.append(
            dataclasses.replace(
                recording,
                audio_sha256=mix_sha,
                stems=stem_shas,
                duration_s=rendered.duration_s,
            )
        )
    batch: CatalogBatch = dataclasses.replace(demo.batch, recordings=recordings)
    await app.stores.catalog.import_batch(batch, app.clock.now())
    from refrain.commands.voices_cli import install_demo_voices  # the CLI owns the registry

    voices = await install_demo_voices(app)
    return (
        f"demo catalog ready: {len(recordings)} songs with true stems, "
        f"{len(voices)} synthetic voices learnt"
    )
