"""`refrain catalog …`: import, list, search, and the synthesized demo catalog."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from core.catalog import CatalogIndex
from core.model import Recording
from refrain.app import App, open_app
from refrain.catalog_files import import_catalog_file, install_demo_catalog, queue_for_warming
from refrain.clikit import UserError, run_async, settings_of
from refrain.stem_states import StemState, stem_state
from refrain.warm_run import warm_here


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
    """List the recordings of the catalog, with where each one's stems stand."""
    async with open_app(settings_of(ctx)) as app:
        recordings = sorted(await app.stores.catalog.list_recordings(), key=lambda r: r.title)
        states = {r.id: (await stem_state(app, r)).value for r in recordings}
        if fmt == "ids":
            for r in recordings:
                click.echo(r.id)
        elif fmt == "json":
            click.echo(json.dumps([dataclasses.asdict(r) | {"stem_state": states[r.id]}
                                   for r in recordings], indent=2, default=str))
        else:
            click.echo(f"{'TITLE':30} {'ARTIST':22} {'ISRC':12} {'LENGTH':>6}  "
                       f"{'STEMS':21} ID")
            for r in recordings:
                click.echo(f"{r.title[:30]:30} {r.artist[:22]:22} {r.isrc:12} "
                           f"{r.duration_s:5.0f}s  {states[r.id]:21} {r.id}")
            if not recordings:
                click.echo("(empty — try `refrain catalog demo` or `refrain catalog import FILE`)")


@catalog.command("warm")
@click.argument("recording_ids", nargs=-1)
@click.option("--all", "everything", is_flag=True,
              help="Every recording whose stems are not separated yet.")
@click.option("--here", is_flag=True,
              help="Separate them in this process now, with a progress bar, instead of "
                   "leaving them to `refrain serve` / `refrain worker`.")
@click.pass_context
@run_async
async def warm(ctx: click.Context, recording_ids: tuple[str, ...], everything: bool,
               here: bool) -> None:
    """Queue stem separation for RECORDING_IDS (or --all) ahead of any fan's request.

    With --here and nothing named, separates what is already queued.
    """
    if not recording_ids and not everything and not here:
        raise UserError("Name the recordings to warm, or pass --all "
                        "(see `refrain catalog list` for ids and stem states).")
    async with open_app(settings_of(ctx)) as app:
        chosen = []
        named = recording_ids or everything
        for recording in await _recordings(app, recording_ids) if named else []:
            state = await stem_state(app, recording)
            if state is StemState.NO_AUDIO and recording_ids:
                raise UserError(f"{recording.id} has no audio in the catalog: "
                                "nothing to separate.")
            if state in (StemState.NOT_SEPARATED, StemState.NO_WEIGHTS):
                chosen.append(recording)
        added = await queue_for_warming(app, chosen)
        click.echo(f"queued {added} recording(s) for stem separation"
                   + ("" if here else "; `refrain serve` or `refrain worker` separates them"))
        if here:
            click.echo(f"separated {await warm_here(app)} recording(s)")


async def _recordings(app: App, recording_ids: tuple[str, ...]) -> list[Recording]:
    """The named recordings (an unknown id is an error), or every one."""
    if not recording_ids:
        return await app.stores.catalog.list_recordings()
    found = []
    for recording_id in recording_ids:
        recording = await app.stores.catalog.get_recording(recording_id)
        if recording is None:
            raise UserError(f"No recording {recording_id!r} in the catalog "
                            "(see `refrain catalog list --format ids`).")
        found.append(recording)
    return found


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
