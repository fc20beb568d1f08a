"""`refrain users …`: tiers, data export and erasure."""

from __future__ import annotations

import json

import click

from core.model import User
from core.ports import Stores
from refrain.app import open_app
from refrain.clikit import UserError, run_async, settings_of


async def find_user(stores: Stores, who: str) -> User:
    """A user by internal id, or by ``platform:platform_user_id`` (``console:alice``)."""
    user = await stores.users.get(who)
    if user is None and ":" in who:
        platform, _, platform_id = who.partition(":")
        user = await stores.users.find(platform, platform_id)
    if user is None:
        raise UserError(
            f"No user '{who}'. Use the internal id or PLATFORM:ID, e.g. console:alice "
            "or discord:123456789."
        )
    return user


@click.group()
def users() -> None:
    """Manage users: tiers, export and deletion of personal data."""


@users.command("set-tier")
@click.argument("user")
@click.argument("tier")
@click.pass_context
@run_async
async def set_tier(ctx: click.Context, user: str, tier: str) -> None:
    """Put USER on TIER (one of the configured tiers)."""
    settings = settings_of(ctx)
    if tier not in settings.tiers:
        raise UserError(f"Unknown tier '{tier}'. Tiers: {', '.join(settings.tiers)}.")
    async with open_app(settings) as app:
        found = await find_user(app.stores, user)
        await app.stores.users.set_tier(found.id, tier)
        click.echo(f"{found.display_name} ({found.id}) is now on the {tier} tier")


@users.command("export")
@click.argument("user")
@click.pass_context
@run_async
async def export(ctx: click.Context, user: str) -> None:
    """Print everything stored about USER as JSON."""
    async with open_app(settings_of(ctx)) as app:
        found = await find_user(app.stores, user)
        data = await app.stores.users.export(found.id)
        click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


@users.command("delete")
@click.argument("user")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
@run_async
async def delete(ctx: click.Context, user: str, yes: bool) -> None:
    """Erase USER's personal data (royalty records keep only anonymous keys)."""
    async with open_app(settings_of(ctx)) as app:
        found = await find_user(app.stores, user)
        if not yes and not click.confirm(f"Erase the personal data of {found.display_name}?"):
            raise UserError("Nothing was deleted.")
        await app.stores.users.delete_personal_data(found.id)
        click.echo(f"personal data of {found.id} erased")
