"""`refrain revenue …`: fans' payments as the operator sees them — rates, refunds, summaries."""

from __future__ import annotations

import json
from datetime import date

import click

from core.clock import SystemClock
from core.revenue import parse_rate
from core.royalties import (
    PoolBasis,
    basis_data,
    format_micros,
    render_basis,
)
from refrain.app import open_royalties
from refrain.clikit import parse_period, run_async, settings_of
from refrain.payments import refund_stars


@click.group()
def revenue() -> None:
    """Fans' payments: conversion rates, refunds, and what each period earned."""


@revenue.command("plans")
@click.pass_context
@run_async
async def plans(ctx: click.Context) -> None:
    """The plans on sale (configured under [revenue.plans])."""
    async with open_royalties(settings_of(ctx)) as app:
        for plan in app.revenue.plans.all():
            click.echo(f"{plan.id:16} {plan.describe()}")


@revenue.group()
def rates() -> None:
    """Dated conversion rates into the pool (platform) currency."""


@rates.command("set")
@click.argument("currency")
@click.argument("pool_currency")
@click.argument("rate")
@click.option("--from", "valid_from", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="First day the rate is in force (YYYY-MM-DD).")
@click.pass_context
@run_async
async def rates_set(ctx: click.Context, currency: str, pool_currency: str, rate: str,
                    valid_from: object) -> None:
    """Set CURRENCY → POOL_CURRENCY at RATE from a date, e.g. `XTR EUR 0.013 --from 2026-12-01`."""
    day = valid_from.date() if hasattr(valid_from, "date") else date.today()
    parsed = parse_rate(currency, pool_currency, rate, day)
    async with open_royalties(settings_of(ctx)) as app:
        await app.revenue.set_rate(parsed, SystemClock().now())
    click.echo(f"1 {parsed.currency} = {parsed.rate} {parsed.pool_currency} from {parsed.valid_from}")


@rates.command("list")
@click.pass_context
@run_async
async def rates_list(ctx: click.Context) -> None:
    """Every rate ever set, oldest first (the newest with the latest date wins)."""
    async with open_royalties(settings_of(ctx)) as app:
        found = await app.revenue.rates()
    if not found:
        click.echo("no rates set; `refrain revenue rates set XTR EUR 0.013 --from 2026-12-01`")
    for rate in found:
        click.echo(f"{rate.valid_from}  1 {rate.currency} = {rate.rate} {rate.pool_currency}")


@revenue.command("refund")
@click.argument("external_id")
@click.option("--platform", default="telegram", show_default=True,
              help="Where it was paid (telegram, demo…).")
@click.option("--chargeback", is_flag=True, help="The platform reversed it (not our refund).")
@click.pass_context
@run_async
async def refund(ctx: click.Context, external_id: str, platform: str, chargeback: bool) -> None:
    """Refund payment EXTERNAL_ID (Telegram: its charge id): the grant ends now, the revenue
    is reversed (in the next open period where its own is closed)."""
    settings = settings_of(ctx)
    async with open_royalties(settings) as app:
        payment = await app.revenue.refundable(platform, external_id)
        if payment is not None and platform == "telegram" and not chargeback:
            payer = await app.database.stores.users.get(payment.payer)
            assert payer is not None, "a payment's payer is a stored user (foreign key)"
            await refund_stars(settings, int(payer.platform_user_id), external_id)
        done = await app.revenue.refund(platform, external_id, SystemClock().now(), chargeback=chargeback)
    entry = done.entry
    if not done.created:
        click.echo(f"{platform} payment {external_id} was already {entry.kind.value.lower()}ed")
        return
    click.echo(f"{entry.kind.value.lower()} of {platform} payment {external_id}: "
               f"{format_micros(-entry.gross, entry.currency)} back to the payer; their "
               f"{entry.plan_id} plan ended")


@revenue.command("summary")
@click.option("--period", required=True, help="The month, YYYY-MM.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_context
@run_async
async def summary(ctx: click.Context, period: str, fmt: str) -> None:
    """The period's recognized revenue — gross, fees, net per currency — the share and the pool."""
    async with open_royalties(settings_of(ctx)) as app:
        basis = await app.revenue.basis(parse_period(period))
    click.echo(_json(basis) if fmt == "json" else render_basis(basis))


def _json(basis: PoolBasis) -> str:
    return json.dumps(basis_data(basis), indent=2, sort_keys=True, ensure_ascii=False)


__all__ = ["revenue"]
