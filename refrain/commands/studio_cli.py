"""`refrain studio …`: the operator's side of the rights holders' studio (invitations)."""

from __future__ import annotations

import click

from refrain.app import open_app
from refrain.clikit import run_async, settings_of


@click.group()
def studio() -> None:
    """The rights holders' studio: invite a party's people to manage their rights on the web."""


@studio.command("invite")
@click.option("--party", "party_id", required=True, help="Party id the invited account will act for.")
@click.pass_context
@run_async
async def invite(ctx: click.Context, party_id: str) -> None:
    """Print a one-time, signed studio link for PARTY (valid 7 days)."""
    settings = settings_of(ctx)
    async with open_app(settings) as app:
        link = await app.studio.accounts.invite(party_id, settings.web.public_url)
    click.echo(link)
    click.echo("Send it to the party privately: it works once, for 7 days.", err=True)
