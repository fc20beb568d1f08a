"""Bringing catalog files and audio into storage: the I/O side of catalog import.

Parsing and validation are pure (``core.catalog.importer``); this module reads
the files, checks every audio file before anything is stored, puts the audio
in the content-addressed blob store and then imports the batch in one
transaction, so a bad file leaves the database exactly as it was.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from core.audio.io import encode_flac_bytes, load_audio
from core.audio.synth import SongSpec, render_song
from core.catalog.demo import demo_catalog
from core.catalog.importer import CatalogImportError, ImportIssue, parse_catalog
from core.ports import CatalogBatch
from refrain.app import App

MAX_IMPORT_AUDIO_SECONDS = 15 * 60


async def _store_audio(app: App, path: Path) -> str:
    """Check that ``path`` is decodable audio, then store it; returns its sha256."""
    await asyncio.to_thread(load_audio, path, max_seconds=MAX_IMPORT_AUDIO_SECONDS)
    return await app.blobs.put_file(path)


async def import_catalog_file(app: App, file: Path, *, fill_unclaimed: bool) -> str:
    """Parse, check audio, store; returns a one-line summary for the user."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogImportError(
            [ImportIssue(1, f"{file.name} is not UTF-8 text (is it a binary file?)")]
        ) from exc
    fmt = "csv" if file.suffix.lower() == ".csv" else "toml"
    parsed = parse_catalog(text, fmt=fmt, base_dir=file.parent, fill_unclaimed=fill_unclaimed)

    issues: list[ImportIssue] = []
    audio: dict[str, str] = {}
    stems: dict[str, dict[str, str]] = {}
    for recording_id, path in parsed.audio_paths.items():
        try:
            audio[recording_id] = await _store_audio(app, path)
        except Exception as exc:  # every unreadable file is reported, none stored
            issues.append(ImportIssue(parsed.lines.get(recording_id, 0), str(exc)))
    for recording_id, stem_paths in parsed.stem_paths.items():
        for stem, path in stem_paths.items():
            try:
                stems.setdefault(recording_id, {})[stem] = await _store_audio(app, path)
            except Exception as exc:
                issues.append(ImportIssue(parsed.lines.get(recording_id, 0), f"stem {stem}: {exc}"))
    if issues:
        raise CatalogImportError(issues)

    recordings = [
        dataclasses.replace(
            r,
            audio_sha256=audio.get(r.id, r.audio_sha256),
            stems=stems.get(r.id, dict(r.stems)),
        )
        for r in parsed.batch.recordings
    ]
    batch = dataclasses.replace(parsed.batch, recordings=recordings)
    await app.stores.catalog.import_batch(batch, app.clock.now())
    return (
        f"imported {len(batch.recordings)} recordings, {len(batch.works)} works, "
        f"{len(batch.parties)} parties, {len(batch.licenses)} licenses from {file.name}"
    )


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
