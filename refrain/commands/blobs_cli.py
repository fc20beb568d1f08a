"""`refrain blobs gc`: keep the blob store within its retention and size limits."""

from __future__ import annotations

from datetime import timedelta

import click

from jobs import collect_garbage
from refrain.app import open_app
from refrain.clikit import run_async, settings_of


@click.group()
def blobs() -> None:
    """The content-addressed file store (audio, stems, clips, caches)."""


@blobs.command("gc")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@click.pass_context
@run_async
async def gc(ctx: click.Context, dry_run: bool) -> None:
    """Remove expired clips and least-recently-used caches over the size cap."""
    settings = settings_of(ctx)
    async with open_app(settings) as app:
        report = await collect_garbage(
            app.stores,
            settings.blobs_dir,
            now=app.clock.now(),
            clip_retention=timedelta(days=settings.clip_retention_days),
            cache_max_bytes=settings.cache_max_bytes,
            dry_run=dry_run,
        )
    click.echo(("would have " if dry_run else "") + report.summary())
