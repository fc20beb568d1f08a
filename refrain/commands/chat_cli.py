"""`refrain chat`: talk to Refrain in the terminal through the console adapter."""

from __future__ import annotations

import sys

import click

from bots.console import ConsoleSession, render_reply
from refrain.app import open_app
from refrain.clikit import run_async, settings_of


@click.command()
@click.option("--as", "user", default="you", show_default=True, help="Your user name.")
@click.option("--guild", default="demo", show_default=True, help="The server/chat to be in.")
@click.option("--channel", default="general", show_default=True)
@click.option("--moderator", is_flag=True, help="Act as a moderator of the guild.")
@click.pass_context
@run_async
async def chat(ctx: click.Context, user: str, guild: str, channel: str, moderator: bool) -> None:
    """Type Refrain commands (one per line) as USER in GUILD; Ctrl-D to quit."""
    async with open_app(settings_of(ctx)) as app:
        session = ConsoleSession(
            app.handler.handle, user, guild, moderator=moderator, channel=channel
        )
        interactive = sys.stdin.isatty()
        if interactive:
            click.echo(f"Refrain console — you are {user} in {guild}. Type `help`; Ctrl-D quits.")
        while True:
            if interactive:
                click.echo("> ", nl=False)
            line = sys.stdin.readline()
            if not line:
                break
            if not line.strip():
                continue
            for reply in await session.send(line.rstrip("\n")):
                click.echo(render_reply(reply))
