"""Statements in the studio: the same numbers and files as `refrain royalties statement`,
to the micro-unit, and only for the holder's own parties."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from core.ids import uuid7
from core.model import Origin, PlayEvent, UsageType
from core.royalties import Period, RunRequest
from refrain.app import royalty_service
from tests.storage.factories import T0
from tests.web.studio_support import StudioWorld
from tests.web.test_studio_songs import two_holders
from web.studio import studio_routes
from web.studio.state import SESSION_COOKIE

pytestmark = pytest.mark.asyncio
PERIOD = Period.of(T0)


async def _plays_and_a_run(world: StudioWorld) -> None:
    app, clip_id = world.app, world.clip_id
    events = [
        PlayEvent(str(uuid7()), clip_id, None, UsageType.STREAM, f"{n:064x}", "web", Origin.SHARED_LINK,
                  40_000, "DE", T0 + timedelta(minutes=n), T0 + timedelta(minutes=n, seconds=5))
        for n in range(12)
    ]
    await app.stores.plays.append(events)
    service = royalty_service(app.settings, app.database)
    await service.run(RunRequest(PERIOD, 1_234_567_891, "EUR"), PERIOD.end + timedelta(days=1))


async def _cli_statement(db_url: str, fmt: str) -> str:
    env = {**os.environ, "REFRAIN_DATABASE_URL": db_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "refrain", "royalties", "statement", "--party", "party-label",
        "--period", str(PERIOD), "--format", fmt, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_the_studio_statement_is_the_cli_statement(db_url: str, tmp_path: Path) -> None:
    async with two_holders(db_url, tmp_path) as (world, label, indie):
        await _plays_and_a_run(world)
        holder = await world.app.studio.accounts.holder(label.cookie(SESSION_COOKIE) or "")
        assert holder is not None
        statement = await world.app.studio.statements.statement(holder, "party-label", str(PERIOD))
        assert statement.total > 0 and statement.lines
        # the periods list (and the dashboard's earnings) add up the same legs as the statement
        (listed,) = [p for p in await world.app.studio.statements.periods(holder)
                     if p.period == str(PERIOD) and p.party_id == "party-label"]
        assert listed.total == statement.total and not listed.closed
        await label.get("/studio/statements")
        assert str(PERIOD) in label.last_text and "Big Label" in label.last_text
        await label.get(f"/studio/statements/party-label/{PERIOD}")
        assert "Golden Hour" in label.last_text and "Total:" in label.last_text
        for fmt in ("csv", "json", "dsr"):
            response = await label.client.get(f"/studio/statements/party-label/{PERIOD}/{fmt}")
            assert response.status == 200
            assert "attachment" in response.headers["Content-Disposition"]
            assert await response.text() == await _cli_statement(db_url, fmt), fmt
        # another holder, or a period that is not one: not found, never forbidden
        walked = {r.path for r in studio_routes() if "{party_id}" in r.path}
        assert walked == {"/studio/statements/{party_id}/{period}",
                          "/studio/statements/{party_id}/{period}/{fmt}"}, "walk the new route too"
        for route in walked:
            for party, period in (("party-label", str(PERIOD)), ("party-nobody", "2026-11"),
                                  ("party-label", "2026-13"), ("../party-label", str(PERIOD))):
                path = route.format(party_id=party, period=period, fmt="csv")
                response = await indie.client.get(path)
                assert response.status == 404, path
                assert "Big Label" not in await response.text()
        assert (await label.client.get("/studio/statements/party-label/2026-13")).status == 404
        assert (await label.client.get(f"/studio/statements/party-label/{PERIOD}/xml")).status == 404
        await indie.get("/studio/statements")
        assert "Big Label" not in indie.last_text
