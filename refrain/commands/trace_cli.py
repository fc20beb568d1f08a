"""`refrain trace FILE` and `refrain takedown CLIP|FILE`: find where a copy came from, withdraw it."""

from __future__ import annotations

from pathlib import Path

import click

from core.deliveries import UnknownClip, take_down
from core.ports import JobEvent, JobEventKind
from refrain.app import open_app
from refrain.clikit import UserError, run_async, settings_of

OPERATOR = "operator"


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--fan-view", is_flag=True, help="Answer as a fan would see it (no personal data).")
@click.pass_context
@run_async
async def trace(ctx: click.Context, file: Path, fan_view: bool) -> None:
    """Which Refrain delivery is FILE? Exact copy first, then the watermark (any format)."""
    async with open_app(settings_of(ctx)) as app:
        outcome = await app.tracer.trace(file, viewer_user_id=OPERATOR, full_record=not fan_view)
    click.echo(outcome.message)
    if not outcome.found:
        ctx.exit(1)


@click.command()
@click.argument("target")
@click.option("--why", required=True, help="The reason, for the record and the requester.")
@click.option("--by", "actor", default=OPERATOR, show_default=True, help="Who takes it down.")
@click.pass_context
@run_async
async def takedown(ctx: click.Context, target: str, why: str, actor: str) -> None:
    """Withdraw a clip (by id, or by a file traced to it): links stop, bots stop re-sending."""
    async with open_app(settings_of(ctx)) as app:
        clip_id = target
        if Path(target).is_file():
            located = await app.tracer.locate(Path(target))
            if not located.found or located.clip_id is None:
                raise UserError(f"{target}: {located.message}")
            clip_id = located.clip_id
        try:
            outcome = await take_down(app.stores, app.clock, clip_id, why=why, actor_user_id=actor)
        except (UnknownClip, ValueError) as exc:
            raise UserError(str(exc)) from exc
        clip = await app.stores.clips.get(outcome.clip_id)
        if outcome.new and clip is not None:
            await app.events.publish(
                JobEvent(
                    clip.request_id,
                    JobEventKind.TAKEN_DOWN,
                    clip_id=clip.id,
                    message=f"Your clip was taken down: {why}",
                )
            )
    click.echo(outcome.message)
