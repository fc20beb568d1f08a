"""`refrain serve`, `refrain worker` and `refrain render`: running the pipeline."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from core.audio.encode import ClipTags, EncodeFormat
from core.audio.render import render_clip_files
from core.stylebook import STYLES
from refrain.app import open_app
from refrain.clikit import UserError, run_async, settings_of


@click.command()
@click.pass_context
@run_async
async def serve(ctx: click.Context) -> None:
    """Run Refrain here: the embedded queue renders every queued request (Ctrl-C stops)."""
    from contextlib import AsyncExitStack

    from refrain.components import serve_components

    settings = settings_of(ctx)
    async with open_app(settings, run_jobs=True) as app, AsyncExitStack() as running:
        names = []
        for name, component in serve_components(settings):
            await running.enter_async_context(component(app))
            names.append(name)
        running_what = ", ".join(names) if names else "no bots or web (none configured)"
        click.echo(f"refrain serving with the {settings.queue} queue: {running_what}; Ctrl-C to stop")
        await asyncio.Event().wait()


@click.command()
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
@click.pass_context
def worker(ctx: click.Context, burst: bool) -> None:
    """Run an arq worker that renders requests from Redis (scale out: one per GPU host)."""
    from arq.worker import Worker

    from jobs.worker import worker_options

    settings = settings_of(ctx)
    Worker(**worker_options(settings, burst=burst)).run()  # type: ignore[arg-type]


@click.command()
@click.option("--song", required=True, help="Title (or id) of a catalog recording with stems.")
@click.option("--style", required=True, type=click.Choice(sorted(STYLES)))
@click.option("--seconds", default=20, show_default=True, type=click.IntRange(1, 600))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--seed", default=0, show_default=True)
@click.pass_context
@run_async
async def render(
    ctx: click.Context, song: str, style: str, seconds: int, out: Path, seed: int
) -> None:
    """Render one clip locally, no queue or entitlements (format from --out: .opus/.ogg/.mp3/.m4a)."""
    formats = {".opus": EncodeFormat.OPUS, ".ogg": EncodeFormat.OPUS, ".mp3": EncodeFormat.MP3,
               ".m4a": EncodeFormat.M4A}
    fmt = formats.get(out.suffix.lower())
    if fmt is None:
        raise UserError(f"Unknown output type '{out.suffix}': use .opus, .ogg, .mp3 or .m4a.")
    async with open_app(settings_of(ctx)) as app:
        recording = await app.stores.catalog.get_recording(song)
        if recording is None:
            hits = app.search(song, limit=1)
            recording = (
                await app.stores.catalog.get_recording(hits[0].recording_id) if hits else None
            )
        if recording is None:
            raise UserError(f"No recording matches '{song}'. See `refrain catalog list`.")
        if not recording.stems:
            raise UserError(f"'{recording.title}' has no stems yet; import them first.")
        paths = {name: app.blobs.path_of(sha) for name, sha in recording.stems.items()}
        tags = ClipTags(title=f"{recording.title} ({style})", artist=recording.artist,
                        clip_id="local", license_id="local", license_version=0)
        result = await asyncio.to_thread(
            render_clip_files, paths, style, float(seconds), seed, fmt, out.resolve(), tags
        )
    click.echo(
        f"wrote {result.path} ({result.duration_s:.1f} s, {result.lufs:.1f} LUFS, "
        f"section {result.section[0]:.1f}–{result.section[1]:.1f} s of the song)"
    )
