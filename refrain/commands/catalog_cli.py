"""`refrain catalog …`: import, list, search, and the synthesized demo catalog."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from core.catalog import CatalogIndex
from refrain.app import open_app
from refrain.catalog_files import import_catalog_file, install_demo_catalog
from refrain.clikit import run_async, settings_of


@click.group()
def catalog() -> None:
    """The licensed catalog: works, recordings, rights and licenses."""


@catalog.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--fill-unclaimed",
    is_flag=True,
    help="Give shares that do not add up to 100% to the UNCLAIMED party instead of failing.",
)
@click.pass_context
@run_async
async def import_(ctx: click.Context, file: Path, fill_unclaimed: bool) -> None:
    """Import FILE (TOML or CSV), all-or-nothing; audio files are checked and stored."""
    async with open_app(settings_of(ctx)) as app:
        summary = await import_catalog_file(app, file, fill_unclaimed=fill_unclaimed)
        click.echo(summary)


@catalog.command("demo")
@click.pass_context
@run_async
async def demo_catalog(ctx: click.Context) -> None:
    """Synthesize the demo catalog (original songs with true stems) and import it."""
    async with open_app(settings_of(ctx)) as app:
        click.echo(await install_demo_catalog(app))



@catalog.command("list")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "ids"]), default="table",
    show_default=True,
)
@click.pass_context
@run_async
async def list_(ctx: click.Context, fmt: str) -> None:
    """List the recordings of the catalog."""
    async with open_app(settings_of(ctx)) as app:
        recordings = sorted(await app.stores.catalog.list_recordings(), key=lambda r: r.title)
        if fmt == "ids":
            for r in recordings:
                click.echo(r.id)
        elif fmt == "json":
            click.echo(json.dumps([dataclasses.asdict(r) for r in recordings], indent=2,
                                  default=str))
        else:
            click.echo(f"{'TITLE':30} {'ARTIST':22} {'ISRC':12} {'LENGTH':>6}  ID")
            for r in recordings:
                click.echo(f"{r.title[:30]:30} {r.artist[:22]:22} {r.isrc:12} "
                           f"{r.duration_s:5.0f}s  {r.id}")
            if not recordings:
                click.echo("(empty — try `refrain catalog demo` or `refrain catalog import FILE`)")


@catalog.command("search")
@click.argument("text", nargs=-1, required=True)
@click.option("--limit", default=5, show_default=True)
@click.pass_context
@run_async
async def search(ctx: click.Context, text: tuple[str, ...], limit: int) -> None:
    """Fuzzy search TEXT in titles and artists (what autocomplete shows)."""
    async with open_app(settings_of(ctx)) as app:
        index: CatalogIndex = app.index
        hits = index.search(" ".join(text), limit=limit)
        if not hits:
            click.echo("no match")
        for hit in hits:
            click.echo(f"{hit.score:5.1f}  {hit.title} — {hit.artist}  ({hit.recording_id})")
