"""The `refrain` command line: a thin layer over the use cases and the wiring."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from config import ConfigFileError, load_settings
from refrain.clikit import UserError, run_async, settings_of
from refrain.commands import (
    blobs_cli,
    catalog_cli,
    chat_cli,
    demo_cli,
    models_cli,
    ops_cli,
    revenue_cli,
    royalties_cli,
    studio_cli,
    trace_cli,
    users_cli,
    voices_cli,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    default=None,
    help="TOML settings file (else $REFRAIN_CONFIG, else defaults).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
@click.pass_context
def main(ctx: click.Context, config_file: Path | None, verbose: bool) -> None:
    """Refrain: licensed AI covers and remixes for Discord and Telegram."""
    try:
        settings = load_settings(config_file)
    except ConfigFileError as exc:
        raise UserError(str(exc)) from exc
    logging.basicConfig(
        level=logging.DEBUG if verbose else getattr(logging, settings.log_level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if settings.metrics_dir is not None:  # before any metric exists: their storage follows it
        from jobs import metrics

        metrics.setup(settings.metrics_dir)
    ctx.obj = settings


# -- config -------------------------------------------------------------------------------
@main.group()
def config() -> None:
    """Inspect the effective settings."""


@config.command("show")
@click.pass_context
def config_show(ctx: click.Context) -> None:
    """Print the effective settings (secrets masked) as JSON."""
    click.echo(json.dumps(settings_of(ctx).masked(), indent=2, sort_keys=True))


# -- db -----------------------------------------------------------------------------------
@main.group()
def db() -> None:
    """Database schema management."""


@db.command("upgrade")
@click.pass_context
@run_async
async def db_upgrade(ctx: click.Context) -> None:
    """Apply all migrations (creates the SQLite file if needed) and say which ran."""
    from storage import upgrade

    settings = settings_of(ctx)
    migrated = await upgrade(settings.database_url)
    click.echo(migrated.describe())


main.add_command(catalog_cli.catalog)
main.add_command(users_cli.users)
main.add_command(chat_cli.chat)
main.add_command(demo_cli.demo)
main.add_command(ops_cli.serve)
main.add_command(ops_cli.worker)
main.add_command(ops_cli.render)
main.add_command(blobs_cli.blobs)
main.add_command(models_cli.models)
main.add_command(trace_cli.trace)
main.add_command(trace_cli.takedown)
main.add_command(voices_cli.voices)
main.add_command(studio_cli.studio)
main.add_command(royalties_cli.plays)
main.add_command(royalties_cli.royalties)
main.add_command(revenue_cli.revenue)
