"""`refrain plays …` and `refrain royalties …`: usage in, money out, exactly and auditably."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import click

from core.clock import SystemClock
from core.model import PlayEvent
from core.royalties import (
    AmountError,
    LineIssue,
    Method,
    Period,
    PeriodSummary,
    RunRequest,
    Statement,
    dsr_filename,
    format_micros,
    parse_amount,
    parse_line,
    read_total,
    render_basis,
    render_csv,
    render_dsr,
    render_json,
)
from refrain.app import open_royalties
from refrain.clikit import UserError, parse_period, run_async, settings_of

IMPORT_BATCH = 5_000
MAX_ISSUES_SHOWN = 50


# -- plays ------------------------------------------------------------------------------------
@click.group()
def plays() -> None:
    """The append-only play log (deliveries and streams)."""


@dataclass
class _ImportTally:
    lines: int = 0
    new: int = 0
    known: int = 0
    late: int = 0


@plays.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--period", default=None, help="Refuse lines played outside this month (YYYY-MM).")
@click.pass_context
@run_async
async def import_plays(ctx: click.Context, file: Path, period: str | None) -> None:
    """Import play events from FILE (JSON Lines); bad lines are listed, good lines kept.

    One JSON object per line: event_id (a UUIDv7, or the sending system's own id of up
    to 128 characters), clip_id, usage (DELIVERY|STREAM),
    listener (the platform user id, stored only as an HMAC), platform, origin,
    ms_played, played_at (ISO 8601 with zone), territory. Importing the same
    file again adds nothing.
    """
    settings = settings_of(ctx)
    only = parse_period(period) if period else None
    secret = settings.listener_key_secret.get_secret_value().encode()
    clock = SystemClock()
    issues: list[LineIssue] = []
    tally = _ImportTally()
    seen: dict[str, tuple[int, PlayEvent]] = {}
    async with open_royalties(settings) as app:
        closed: dict[str, bool] = {}
        with file.open(encoding="utf-8", errors="replace") as handle:
            for batch in _batches(handle):
                good: list[tuple[int, PlayEvent]] = []
                for number, text in batch:
                    tally.lines += 1
                    parsed = parse_line(text, number, secret=secret, received_at=clock.now(),
                                        rules=app.royalties.rules, period=only)
                    if isinstance(parsed, LineIssue):
                        issues.append(parsed)
                    elif parsed is not None:
                        earlier = seen.get(parsed.event_id)
                        if earlier is None:
                            seen[parsed.event_id] = (number, parsed)
                            good.append((number, parsed))
                        elif _same(earlier[1], parsed):
                            tally.known += 1
                        else:
                            issues.append(LineIssue(number, f"its event_id was used on line "
                                                    f"{earlier[0]} for a different play"))
                known = await app.plays.known_clips(e.clip_id for _n, e in good)
                events = []
                for number, event in good:
                    if event.clip_id not in known:
                        issues.append(LineIssue(number, f"clip {event.clip_id!r} is not a Refrain clip"))
                        continue
                    month = str(Period.of(event.played_at))
                    if month not in closed:
                        closed[month] = await app.royalties.is_closed(Period.of(event.played_at))
                    tally.late += closed[month]
                    events.append(event)
                added = await app.plays.append(events)
                tally.new += added
                tally.known += len(events) - added
    click.echo(f"{file.name}: {tally.lines} lines, {tally.new} new plays, "
               f"{tally.known} already imported, {len(issues)} refused")
    if tally.late:
        click.echo(f"{tally.late} plays belong to closed periods: posted in the next open period "
                   "as late adjustments")
    for issue in issues[:MAX_ISSUES_SHOWN]:
        click.echo(f"  {issue}")
    if len(issues) > MAX_ISSUES_SHOWN:
        click.echo(f"  … and {len(issues) - MAX_ISSUES_SHOWN} more")
    if issues:
        raise UserError(f"{len(issues)} lines were refused (listed above); the other lines "
                        "were imported — fix those lines and import the file again")


def _batches(handle: TextIO) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for number, text in enumerate(handle, 1):
        batch.append((number, text))
        if len(batch) >= IMPORT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _same(a: PlayEvent, b: PlayEvent) -> bool:
    """The same play sent twice (only the time we read it differs)."""
    return dataclasses.replace(b, received_at=a.received_at) == a


# -- royalties --------------------------------------------------------------------------------
@click.group()
def royalties() -> None:
    """Allocate a period's royalty pool, statements, DSR exports, fraud suspects."""


@royalties.command("run")
@click.option("--period", required=True, help="The month to allocate, YYYY-MM.")
@click.option("--pool", default=None,
              help="Amount to allocate, or `revenue`: the royalty share of the period's recognized "
                   "net revenue (default: configured for the period).")
@click.option("--currency", default=None, help="Must be the platform currency (settings).")
@click.option("--method", type=click.Choice([m.value for m in Method]), default="pro-rata",
              show_default=True)
@click.option("--artist-centric", is_flag=True, help="Weight boosted artists and active plays ×2.")
@click.option("--replace", is_flag=True, help="Reverse the period's current run and post this one.")
@click.pass_context
@run_async
async def run(ctx: click.Context, period: str, pool: str | None, currency: str | None, method: str,
              artist_centric: bool, replace: bool) -> None:
    """Qualify the period's plays and allocate its pool to the parties (rerun: no-op)."""
    settings = settings_of(ctx)
    month = parse_period(period)
    platform = settings.royalties.currency
    if currency is not None and currency.upper() != platform:
        raise UserError(f"this deployment pays in {platform} (one platform currency); "
                        f"--currency {currency} is not it")
    amount_text = pool or settings.royalties.pool_for(str(month))
    if amount_text is None:
        raise UserError(f"no pool configured for {month}: pass --pool AMOUNT or --pool revenue")
    from_revenue = amount_text.strip().lower() == "revenue"
    micros = 0
    if not from_revenue:
        try:
            micros = parse_amount(amount_text)
        except AmountError as error:
            raise UserError(f"--pool: {error}") from error
    now = SystemClock().now()
    if month.end > now:
        raise UserError(f"period {month} is not over yet (it ends {month.end:%Y-%m-%d} 00:00 UTC)")
    async with open_royalties(settings) as app:
        basis = None
        if from_revenue:
            basis = await app.revenue.basis(month)
            if basis.pool <= 0:
                raise UserError(f"no net revenue was recognized in {month} "
                                f"({format_micros(basis.net, basis.currency)}); nothing to allocate")
            micros = basis.pool
        outcome = await app.royalties.run(
            RunRequest(month, micros, platform, Method(method), artist_centric, replace, basis), now
        )
        summary = await app.royalties.summary(month, platform)
    info = outcome.run
    if basis is not None:
        click.echo(render_basis(basis))
    if not outcome.created:
        click.echo(f"run {info.id} already allocated these exact inputs; nothing changed")
    else:
        if outcome.replaced:
            click.echo(f"reversed run {outcome.replaced}")
        click.echo(f"run {info.id}: {format_micros(info.pool_micros, info.currency)} over "
                   f"{info.qualified} qualified plays of {info.events} ({info.method}"
                   f"{', artist-centric' if info.artist_centric else ''}), {outcome.legs} ledger legs")
    click.echo(_summary_table(summary))


def _summary_table(summary: PeriodSummary) -> str:
    rows = [f"{'PARTY':32} {'AMOUNT':>22}"]
    for party, amount in sorted(summary.owed.items(), key=lambda kv: (-kv[1], kv[0])):
        name = summary.names.get(party, party)
        rows.append(f"{name[:32]:32} {format_micros(amount, summary.currency):>22}")
    total = sum(summary.owed.values())
    rows.append(f"{'total to parties':32} {format_micros(total, summary.currency):>22}")
    verdict = "conserved" if summary.conserved else "NOT CONSERVED"
    rows.append(f"pool {format_micros(summary.pool_in, summary.currency)} — {verdict}")
    return "\n".join(rows)


def _summary_json(summary: PeriodSummary) -> str:
    """The summary for other programs: every party by id, amounts exact (micros) and as text."""
    owed = sorted(summary.owed.items(), key=lambda kv: (-kv[1], kv[0]))
    total = sum(summary.owed.values())
    data = {
        "period": summary.period,
        "currency": summary.currency,
        "run_id": summary.run.id if summary.run else None,
        "pool": format_micros(summary.pool_in),
        "pool_micros": summary.pool_in,
        "parties": [
            {"party_id": party, "name": summary.names.get(party, party),
             "amount": format_micros(amount), "amount_micros": amount}
            for party, amount in owed
        ],
        "total": format_micros(total),
        "total_micros": total,
        "conserved": summary.conserved,
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


@royalties.command("summary")
@click.option("--period", required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="json: one object with every party's id, name and amount.")
@click.pass_context
@run_async
async def summary_(ctx: click.Context, period: str, fmt: str) -> None:
    """What each party is owed for the period, and the conservation check."""
    settings = settings_of(ctx)
    async with open_royalties(settings) as app:
        summary = await app.royalties.summary(parse_period(period), settings.royalties.currency)
    click.echo(_summary_json(summary) if fmt == "json" else _summary_table(summary))
    if not summary.conserved:
        raise UserError("the ledger does not conserve the pool; this is a bug, please report it")


@royalties.command("reverse")
@click.argument("run_id")
@click.option("--why", required=True, help="Reason, kept in the ledger.")
@click.pass_context
@run_async
async def reverse(ctx: click.Context, run_id: str, why: str) -> None:
    """Post the exact opposite of run RUN_ID (nothing is ever deleted)."""
    async with open_royalties(settings_of(ctx)) as app:
        posting = await app.royalties.reverse(run_id, why, SystemClock().now())
    click.echo(f"run {run_id} reversed by posting {posting}; the period can be run again")


@royalties.command("close")
@click.option("--period", required=True)
@click.pass_context
@run_async
async def close(ctx: click.Context, period: str) -> None:
    """Freeze a period; usage arriving later is posted in the next period."""
    async with open_royalties(settings_of(ctx)) as app:
        run_info = await app.royalties.close(parse_period(period), SystemClock().now())
    click.echo(f"period {period} closed on run {run_info.id}")


@royalties.command("runs")
@click.option("--period", required=True)
@click.pass_context
@run_async
async def runs(ctx: click.Context, period: str) -> None:
    """List the period's runs, reversed ones included."""
    async with open_royalties(settings_of(ctx)) as app:
        found = await app.royalties.runs(parse_period(period))
        closed = await app.royalties.is_closed(parse_period(period))
    if not found:
        click.echo(f"no run for {period} yet")
    for info in found:
        state = f"reversed: {info.reversed_why}" if info.reversed_why else "active"
        click.echo(f"{info.id}  {info.created_at:%Y-%m-%d %H:%M}  "
                   f"{format_micros(info.pool_micros, info.currency)}  {info.method}  "
                   f"{info.qualified}/{info.events} plays  {state}")
    if closed:
        click.echo(f"period {period} is closed")


@royalties.command("statement")
@click.option("--party", "party_id", required=True)
@click.option("--period", required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "dsr"]), default="csv",
              show_default=True)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file instead of the screen.")
@click.pass_context
@run_async
async def statement(ctx: click.Context, party_id: str, period: str, fmt: str, out: Path | None) -> None:
    """One party's statement: per recording and work, plays and amounts per right type."""
    settings = settings_of(ctx)
    async with open_royalties(settings) as app:
        found = await app.royalties.statement(party_id, parse_period(period), settings.royalties.currency)
    text = _render(found, fmt, settings.royalties.dsr_sender)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out} ({len(found.lines)} lines, "
                   f"{format_micros(found.total, found.currency)})")


def _render(found: Statement, fmt: str, sender: str) -> str:
    if fmt == "json":
        return render_json(found)
    if fmt == "dsr":
        return render_dsr(found, "WW", sender)
    return render_csv(found)


@royalties.command("export")
@click.option("--period", required=True)
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True)
@click.pass_context
@run_async
async def export(ctx: click.Context, period: str, out: Path) -> None:
    """Write the period's DSR files, one per party and territory, and check them against the ledger."""
    settings = settings_of(ctx)
    month = parse_period(period)
    sender = settings.royalties.dsr_sender
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    exported = 0
    async with open_royalties(settings) as app:
        summary = await app.royalties.summary(month, settings.royalties.currency)
        for party in await app.royalties.parties(month):
            found = await app.royalties.statement(party, month, settings.royalties.currency,
                                              by_territory=True)
            territories = sorted({line.territory for line in found.lines})
            party_total = 0
            for n, territory in enumerate(territories, 1):
                part = Statement(**{**found.__dict__,
                                    "lines": tuple(x for x in found.lines if x.territory == territory)})
                text = render_dsr(part, territory, sender)
                name = dsr_filename(party, str(month), territory, n, len(territories), sender)
                (out / name).write_text(text, encoding="utf-8")
                party_total += read_total(text)
                written += 1
            if party_total != summary.owed.get(party, 0):
                raise UserError(f"the DSR files of {party} do not match the ledger; nothing is "
                                "wrong with your data, this is a bug — please report it")
            exported += party_total
    if exported != summary.pool_in:
        raise UserError("the DSR files do not add up to the pool; this is a bug, please report it")
    click.echo(f"wrote {written} DSR files to {out}; they add up to "
               f"{format_micros(exported, summary.currency)}, the pool of {month} in the ledger")


@royalties.command("suspects")
@click.option("--period", required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_context
@run_async
async def suspects(ctx: click.Context, period: str, fmt: str) -> None:
    """Listeners flagged for impossible rates (their plays are not qualified: fraud_suspect)."""
    async with open_royalties(settings_of(ctx)) as app:
        found = await app.royalties.suspects(parse_period(period))
        counts = await app.royalties.qualification_counts(parse_period(period))
    if fmt == "json":
        click.echo(json.dumps({"period": period, "excluded_plays": counts.get("fraud_suspect", 0),
                               "suspects": [{"listener": s.listener_key, "hour": s.hour,
                                             "reason": s.reason} for s in found]}, indent=2))
        return
    if not found:
        click.echo(f"no suspect listeners in {period}")
        return
    for suspect in found:
        click.echo(suspect.describe())
    click.echo(f"{len(found)} suspects; {counts.get('fraud_suspect', 0)} plays excluded")
