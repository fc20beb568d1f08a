"""`refrain revenue …` and `refrain royalties run --pool revenue` end to end on a real SQLite file."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from config import load_settings
from core.revenue import Payment
from refrain.app import revenue_service
from refrain.commands.revenue_cli import revenue
from refrain.commands.royalties_cli import royalties
from storage.database import Database
from storage.migrate import upgrade
from tests.core.royalties.world_db import seed_world
from tests.support.cli_env import isolated_cli

PAID = datetime(2026, 10, 17, 9, tzinfo=UTC)  # 15 of a 30-day plan's days fall in October


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = isolated_cli(tmp_path, monkeypatch, "revenue.db")

    async def prepare() -> None:
        await upgrade(url)
        async with await Database.open(url) as database:
            await seed_world(database.stores)
            service = revenue_service(load_settings(), database)
            for n in range(4):
                user = await database.stores.users.get_or_create("telegram", f"fan{n}", f"Fan {n}", PAID)
                await service.record_payment(Payment(
                    "telegram", f"charge-{n}", user.id, "fan-month", "XTR", 150_000_000,
                    PAID + timedelta(minutes=n)))
            await service.record_payment(Payment(
                "demo", "demo-1", user.id, "pro-month", "EUR", 8_990_000, PAID))

    asyncio.run(prepare())
    return tmp_path


def cli(group: object, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(group, list(args), obj=load_settings(),  # type: ignore[arg-type]
                                catch_exceptions=False)
    return result.exit_code, result.output


def test_a_revenue_pool_needs_every_rate_then_shows_its_basis_on_the_statement(env: Path) -> None:
    code, out = cli(royalties, "run", "--period", "2026-10", "--pool", "revenue")
    assert code == 1
    assert "no XTR → EUR rate in force on 2026-10-01" in out and "nothing was allocated" in out
    assert "no run for 2026-10 yet" in cli(royalties, "runs", "--period", "2026-10")[1]

    code, out = cli(revenue, "rates", "set", "XTR", "EUR", "0.013", "--from", "2026-10-01")
    assert code == 0 and "1 XTR = 0.013 EUR from 2026-10-01" in out

    code, out = cli(revenue, "summary", "--period", "2026-10", "--format", "json")
    assert code == 0
    basis = json.loads(out)
    lines = {line["currency"]: line for line in basis["lines"]}
    # 4 × 150 ⭐, 15 of 30 days in October, no Telegram fee; 8.99 EUR less the 5 % demo fee
    assert lines["XTR"]["gross"] == "300.000000" and lines["XTR"]["fees"] == "0.000000"
    assert lines["EUR"]["gross"] == "4.495000" and lines["EUR"]["fees"] == "0.224750"
    assert basis["net_micros"] == 3_900_000 + 4_270_250
    assert basis["pool_micros"] == basis["net_micros"] // 2

    code, out = cli(royalties, "run", "--period", "2026-10", "--pool", "revenue")
    assert code == 0, out
    assert "pool basis for 2026-10" in out and "share 0.5" in out
    assert f"pool {basis['pool']} EUR — conserved" in out
    code, out = cli(royalties, "run", "--period", "2026-10", "--pool", "revenue")
    assert "already allocated these exact inputs" in out

    code, out = cli(royalties, "statement", "--party", "party-northstar-label", "--period",
                    "2026-10", "--format", "json")
    assert json.loads(out)["basis"]["pool_micros"] == basis["pool_micros"]
    code, out = cli(royalties, "statement", "--party", "party-northstar-label", "--period",
                    "2026-10", "--format", "csv")
    assert out.startswith("# pool basis for 2026-10")


def test_a_refund_after_the_period_closed_lands_in_the_next_open_period(env: Path) -> None:
    cli(revenue, "rates", "set", "XTR", "EUR", "0.013", "--from", "2026-10-01")
    assert cli(royalties, "run", "--period", "2026-10", "--pool", "revenue")[0] == 0
    assert cli(royalties, "close", "--period", "2026-10")[0] == 0
    before = json.loads(cli(revenue, "summary", "--period", "2026-10", "--format", "json")[1])

    code, out = cli(revenue, "refund", "demo-1", "--platform", "demo")
    assert code == 0 and "refund of demo payment demo-1" in out
    assert "already refunded" in cli(revenue, "refund", "demo-1", "--platform", "demo")[1]
    after = json.loads(cli(revenue, "summary", "--period", "2026-10", "--format", "json")[1])
    assert after == before  # the closed period is never rewritten
    november = json.loads(cli(revenue, "summary", "--period", "2026-11", "--format", "json")[1])
    eur = {line["currency"]: line for line in november["lines"]}["EUR"]
    # November's own half and its reversal cancel out; October's half is reversed here too
    assert eur["net"] == "-4.270250"


@pytest.mark.parametrize(("args", "message"), [
    (("refund", "nope", "--platform", "demo"), "no demo payment 'nope' to refund"),
    (("rates", "set", "XTR", "EUR", "lots", "--from", "2026-10-01"), "'lots' is not a rate"),
    (("rates", "set", "XTR", "USD", "0.014", "--from", "2026-10-01"), "the pool is in EUR"),
])
def test_bad_revenue_requests_are_clear(env: Path, args: tuple[str, ...], message: str) -> None:
    code, out = cli(revenue, *args)
    assert code == 1 and message in out


def test_plans_are_listed(env: Path) -> None:
    code, out = cli(revenue, "plans")
    assert code == 0 and "fan-month" in out and "150 ⭐" in out and "2.99 EUR" in out
