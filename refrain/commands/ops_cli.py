"""`refrain serve`, `refrain worker` and `refrain render`: running the pipeline."""

from __future__ import annotations

import asyncio
import getpass
import shutil
from pathlib import Path

import click

from core.commands import CoverCommand, country_hint, parse_country
from core.deliveries import delivery_problem
from core.ids import new_id
from core.media import EncodeFormat
from core.model import Transformation
from core.ports import JobEvent, JobEventKind
from core.requests import Queued, Requester, short_id
from core.stylebook import STYLES
from engine import write_sidecar
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
@run_async
async def worker(ctx: click.Context, burst: bool) -> None:
    """Render requests from Redis (scale out: one per GPU host); SIGTERM stops it cleanly.

    It waits for the database and Redis when they are down, and carries on
    when they are back: only a signal ends it.
    """
    from jobs import run_worker

    await run_worker(settings_of(ctx), burst=burst)


@click.command()
@click.option("--song", required=True, help="Title (or id) of a catalog recording.")
@click.option("--style", required=True, type=click.Choice(sorted(STYLES)))
@click.option("--seconds", default=20, show_default=True, type=click.IntRange(1, 600))
@click.option("--voice", default=None, help="A consented voice model (name or id).")
@click.option(
    "--country",
    default=None,
    callback=lambda _ctx, _param, value: _country(value),
    help="Where the clip is made for (ISO code, e.g. DE): songs licensed in a few countries need it.",
)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--wait", "wait_s", default=600, show_default=True, type=click.IntRange(1, 86400),
              help="Give up waiting after this many seconds (the request stays saved).")
@click.pass_context
@run_async
async def render(
    ctx: click.Context,
    song: str,
    style: str,
    seconds: int,
    voice: str | None,
    country: str | None,
    out: Path,
    wait_s: int,
) -> None:
    """Render one clip here and write it to --out (.opus/.ogg/.mp3/.m4a).

    A delivery like any other: the song's license must allow it, the clip is
    recorded, and the file carries its own watermark (to the local operator),
    so `refrain trace` finds it. The operator's quota is the `pro` tier's.
    """
    fmt = FORMATS_BY_SUFFIX.get(out.suffix.lower())
    if fmt is None:
        raise UserError(f"Unknown output type '{out.suffix}': use .opus, .ogg, .mp3 or .m4a.")
    settings = settings_of(ctx)
    async with open_app(settings, run_jobs=True) as app:
        recording = await app.stores.catalog.get_recording(song)
        title = recording.title if recording else song
        who = Requester(
            platform=OPERATOR_PLATFORM,
            platform_user_id=getpass.getuser(),
            display_name=f"{getpass.getuser()} (local operator)",
            scope_id=f"{OPERATOR_PLATFORM}:local",
            channel_id=None,
            message_id=new_id(),
            is_moderator=True,
            delivery_format=fmt.value,
            country=country,
            country_how="--country",
        )
        user = await app.requests.user_for(who)
        await app.stores.users.accept_terms(user.id, settings.terms_version, app.clock.now())
        if "pro" in settings.tiers:
            await app.stores.users.set_tier(user.id, "pro")
        transformation = Transformation.VOICE_SWAP if voice else Transformation.COVER
        command = CoverCommand(
            song=title, style=style, voice=voice, seconds=seconds, transformation=transformation
        )
        async with app.events.subscribe() as events:
            outcome = await app.requests.submit(who, command)
            if not isinstance(outcome, Queued):
                raise UserError(app.handler.outcome_reply(outcome, command).text)
            request_id = outcome.request.id
            try:
                async with asyncio.timeout(wait_s):
                    final = await _wait_for_end(events, request_id)
            except TimeoutError:
                raise UserError(
                    f"Request {short_id(request_id)} is saved but not finished after {wait_s} s "
                    "(see the log for why: the database or the blob store may be unavailable). "
                    "Nothing is charged until it is delivered; `refrain serve` finishes it."
                ) from None
        if final.kind is not JobEventKind.DELIVERED or final.clip_id is None:
            raise UserError(final.message or f"The render ended {final.kind.value.lower()}.")
        request = await app.stores.requests.get(request_id)
        assert request is not None
        try:
            delivered = await app.deliveries.handover(request)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(delivered.path, out)
            sidecar = write_sidecar(out, delivered.provenance)
        except OSError as exc:
            raise UserError(
                f"The clip was made (request {short_id(request_id)}) but could not be written "
                f"to {out}: {exc.strerror or exc}."
            ) from exc
        except Exception as exc:
            raise UserError(delivery_problem(exc, what="the clip")) from exc
        await app.deliveries.handed_over(delivered.delivery.id)
    click.echo(
        f"wrote {out} ({delivered.duration_s:.1f} s; {delivered.title}; clip {final.clip_id}, "
        f"delivery {delivered.delivery.id}) and its provenance record {sidecar.name}"
    )


def _country(value: str | None) -> str | None:
    """The ISO code ``--country`` spells, checked like chat's ``settings country``."""
    if value is None:
        return None
    code = parse_country(value)
    if code is not None:
        return code
    hint = country_hint(value)
    better = f"; did you mean {hint}?" if hint else " (use an ISO code such as DE or GB)"
    raise click.BadParameter(f"{value!r} is not a country code{better}")


FORMATS_BY_SUFFIX = {
    ".opus": EncodeFormat.OPUS,
    ".ogg": EncodeFormat.OPUS,
    ".mp3": EncodeFormat.MP3,
    ".m4a": EncodeFormat.M4A,
}
OPERATOR_PLATFORM = "cli"
ENDINGS = frozenset(
    {JobEventKind.DELIVERED, JobEventKind.FAILED, JobEventKind.CANCELLED}
)


async def _wait_for_end(events: asyncio.Queue[JobEvent], request_id: str) -> JobEvent:
    while True:
        event = await events.get()
        if event.request_id == request_id and event.kind in ENDINGS:
            return event
