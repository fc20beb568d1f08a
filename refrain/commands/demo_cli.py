"""`refrain demo`: the scripted end-to-end session that `make demo` runs."""

from __future__ import annotations

import click

from refrain.clikit import run_async, settings_of
from refrain.demo import run_demo


@click.command()
@click.pass_context
@run_async
async def demo(ctx: click.Context) -> None:
    """Set up a fresh local demo (SQLite + demo catalog) and play a scripted chat."""
    await run_demo(settings_of(ctx), click.echo)
