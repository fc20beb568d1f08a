"""The end of `refrain demo`: a month of synthetic plays and payments, allocated.

The demo delivered a handful of clips; here fans play them for a month —
deliveries into chats and streams on the web player, some too short, some
repeated past the daily cap, one bot streaming more than an hour holds — and
fans pay for plans in that month (DEMO payments in euros, Telegram Stars at
a dated rate, a renewal, a refund). The month's pool is the royalty share of
the revenue it recognized; it is allocated, the basis and the per-party
summary are printed, and conservation is checked: the pool equals what the
parties (UNCLAIMED and ESCROW included) receive, to the micro-unit.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from config import RefrainSettings
from core.ids import uuid7
from core.listeners import listener_key
from core.model import Origin, PlayEvent, RequestState, UsageType
from core.revenue import Payment, RevenueService, parse_rate
from core.royalties import (
    Method,
    Period,
    PeriodSummary,
    RunRequest,
    format_micros,
    render_basis,
)
from refrain.app import revenue_service, royalty_service
from storage import Database

Echo = Callable[[str], None]
TERRITORIES = ("DE", "DE", "FR", "US", "WW", "AT")
DEMO_STARS_RATE = "0.013"  # EUR per Telegram Star: the operator's rate for the demo month


async def synthetic_payments(
    database: Database, revenue: RevenueService, period: Period, seed: int = 16
) -> int:
    """A month of fans paying: demo euros and Telegram Stars, one renewal, one refund.

    Returns how many payments were recorded. Every euro here is a DEMO payment.
    """
    rnd = random.Random(seed)
    plans = [p for p in revenue.plans.all() if not p.scope]
    if not plans:
        return 0
    paid: list[Payment] = []
    for n in range(24):
        user = await database.stores.users.get_or_create("demo", f"payer{n}", f"Payer {n}",
                                                         period.start)
        plan = rnd.choice(plans)
        currency = "XTR" if n % 3 == 0 and "XTR" in plan.prices else sorted(plan.prices)[0]
        platform = "telegram" if currency == "XTR" else "demo"
        at = period.start + timedelta(seconds=rnd.randrange(27 * 86_400))
        paid.append(Payment(platform, f"demo-month-{period}-{n}", user.id, plan.id, currency,
                            plan.prices[currency], at))
    for payment in sorted(paid, key=lambda p: p.at):
        await revenue.record_payment(payment)
    first = min(paid, key=lambda p: p.at)
    await revenue.record_payment(Payment(  # the first payer renews before the month is out
        first.platform, f"{first.external_id}-renewal", first.payer, first.plan_id,
        first.currency, first.gross, first.at + timedelta(days=10), renewal=True))
    refunded = paid[1]
    await revenue.refund(refunded.platform, refunded.external_id, refunded.at + timedelta(days=1))
    return len(paid) + 1


def synthetic_plays(clip_ids: list[str], period: Period, secret: bytes, seed: int = 6) -> list[PlayEvent]:
    """A deterministic month of usage: fans, a few short streams, a cap-buster and a bot."""
    rnd = random.Random(seed)
    events: list[PlayEvent] = []

    def play(clip: str, fan: str, at: datetime, usage: UsageType, ms: int, origin: Origin) -> None:
        events.append(PlayEvent(str(uuid7()), clip, None, usage, listener_key(secret, "demo", fan),
                                "demo", origin, ms, rnd.choice(TERRITORIES), at,
                                at + timedelta(seconds=3)))

    for n in range(600):
        at = period.start + timedelta(seconds=rnd.randrange(27 * 86_400))
        usage = UsageType.DELIVERY if n % 4 == 0 else UsageType.STREAM
        ms = 0 if usage is UsageType.DELIVERY else rnd.choice((12_000, 31_000, 45_000, 60_000))
        play(rnd.choice(clip_ids), f"fan{rnd.randrange(40)}", at, usage, ms,
             rnd.choice(list(Origin)))
    day = period.start + timedelta(days=3, hours=20)
    for n in range(14):  # one fan replays the same clip 14 times in an evening: 10 count
        play(clip_ids[0], "superfan", day + timedelta(minutes=3 * n), UsageType.STREAM, 40_000,
             Origin.SHARED_LINK)
    for n in range(40):  # a bot: 40 ten-minute streams started within one hour
        play(clip_ids[n % len(clip_ids)], "bot", day + timedelta(seconds=90 * n),
             UsageType.STREAM, 600_000, Origin.SHARED_LINK)
    return events


async def demo_clip_ids(database: Database) -> list[str]:
    requests = await database.stores.requests.list_in_states(frozenset({RequestState.DELIVERED}))
    return sorted(r.clip_id for r in requests if r.clip_id)


async def royalty_demo(
    database: Database,
    settings: RefrainSettings,
    echo: Echo,
    now: datetime,
    clip_ids: list[str] | None = None,
) -> PeriodSummary | None:
    """Play, qualify and allocate last month for the demo's clips; print who gets what."""
    clips = clip_ids if clip_ids is not None else await demo_clip_ids(database)
    if not clips:
        echo("\nRoyalties: no clip was delivered, so there is nothing to allocate")
        return None
    period = Period.of(now)
    period = Period(period.year - (period.month == 1), (period.month - 2) % 12 + 1)  # last month
    secret = settings.listener_key_secret.get_secret_value().encode()
    store = royalty_service(settings, database)
    events = synthetic_plays(clips, period, secret)
    added = await database.stores.plays.append(events)
    currency = settings.royalties.currency
    revenue = revenue_service(settings, database)
    payments = await synthetic_payments(database, revenue, period)
    if currency != "XTR":
        await revenue.set_rate(parse_rate("XTR", currency, DEMO_STARS_RATE, period.first_day), now)
    basis = await revenue.basis(period)
    pool = basis.pool
    outcome = await store.run(RunRequest(period, pool, currency, Method.PRO_RATA, basis=basis), now)
    summary = await store.summary(period, currency)
    counts = await store.qualification_counts(period)
    suspects = await store.suspects(period)
    echo(f"\nRoyalties for {period}: {added} synthetic plays of {len(clips)} clips, "
         f"{payments} synthetic payments (DEMO money), run {outcome.run.id}")
    echo(render_basis(basis))
    echo("qualification: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for suspect in suspects:
        echo(f"fraud suspect: {suspect.describe()}")
    echo(f"{'PARTY':32} {'AMOUNT':>20}")
    for party, amount in sorted(summary.owed.items(), key=lambda kv: (-kv[1], kv[0])):
        echo(f"{summary.names.get(party, party)[:32]:32} {format_micros(amount, currency):>20}")
    total = sum(summary.owed.values())
    echo(f"{'total':32} {format_micros(total, currency):>20}")
    if not summary.conserved or summary.pool_in != pool:
        raise RuntimeError(f"royalties not conserved: pool {pool}, allocated {total}")
    echo(f"conservation: pool {format_micros(pool, currency)} = allocated "
         f"{format_micros(total, currency)} ✓")
    top = max(summary.owed.items(), key=lambda kv: (kv[1], kv[0]))[0]
    statement = await store.statement(top, period, currency)
    echo(f"statement of {summary.names.get(top, top)} for {period}: "
         f"{len(statement.lines)} lines, total {format_micros(statement.total, currency)}, "
         f"under its basis:")
    if statement.basis is not None:
        echo(render_basis(statement.basis))
    return summary
