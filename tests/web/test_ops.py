"""/healthz, /metrics, the JSON access log, and the serve component on a real port."""

from __future__ import annotations

import json
import logging
import re
import shutil
import socket
from pathlib import Path

import aiohttp
import pytest

from core.model import RequestState
from tests.web.support import WebWorld, web_args, web_client, web_world
from web import web_component
from web.logs import JsonAccessLogger, JsonFormatter


async def test_healthz_reports_each_dependency(world: WebWorld) -> None:
    async with web_client(world) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        body = await response.json()
        assert body["status"] == "ok"
        assert {name: check["ok"] for name, check in body["checks"].items()} == {
            "database": True, "queue": True, "blobs": True}
        shutil.rmtree(world.app.blobs.root)
        down = await client.get("/healthz")
        assert down.status == 503
        assert (await down.json())["checks"]["blobs"] == {"ok": False, "error": "blob directory missing"}


async def test_healthz_says_when_the_database_is_gone(world: WebWorld) -> None:
    async with web_client(world) as client:
        await world.app.database.close()
        path = Path(world.app.settings.database_url.split("///")[1])
        path.unlink()
        path.mkdir()  # SQLite would quietly create a missing file; a folder it cannot open
        response = await client.get("/healthz")
        body = await response.json()
        assert response.status == 503 and body["checks"]["database"]["ok"] is False


async def test_metrics_are_prometheus_text(world: WebWorld) -> None:
    async with web_client(world) as client:
        for _ in range(3):
            assert (await client.get(f"/s/{world.delivery.share_id}")).status == 200
        await client.get("/s/nothing-here")
        response = await client.get("/metrics")
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
        lines = [line for line in text.splitlines() if line and not line.startswith("#")]
        values = {_sorted_labels(line.rsplit(" ", 1)[0]): float(line.rsplit(" ", 1)[1])
                  for line in lines}
        assert values['refrain_requests{state="DELIVERED"}'] == 1
        assert values["refrain_queue_depth"] == 0
        assert values[_sorted_labels(
            'refrain_http_requests_total{route="/s/{share_id}",method="GET",status="200"}')] == 3
        assert values[_sorted_labels(
            'refrain_http_requests_total{route="/s/{share_id}",method="GET",status="404"}')] == 1
        assert values["refrain_web_cache_misses_total"] >= 1
        assert "refrain_render_seconds_count 0" in text
        assert "refrain_plays_ingested_total 0" in text
        for name in ("refrain_web_cache_hit_ratio", "refrain_http_request_seconds_bucket"):
            assert name in text
        assert set(RequestState) == {RequestState(s.split('"')[1]) for s in values if
                                     s.startswith("refrain_requests{")}


def _sorted_labels(sample: str) -> str:
    """A sample's name with its labels in name order (exposition order is not fixed)."""
    name, _, rest = sample.partition("{")
    if not rest:
        return name
    labels = re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', rest)
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels)) + "}"


async def test_the_lookup_cache_hits_when_enabled(tmp_path: Path, db_url: str) -> None:
    async with web_world(db_url, tmp_path, page_cache_ttl_s=60) as world, web_client(world) as client:
        for _ in range(5):
            await client.get(f"/s/{world.delivery.share_id}")
        text = await (await client.get("/metrics")).text()
        assert "refrain_web_cache_hits_total 4" in text
        assert re.search(r"^refrain_web_cache_hit_ratio 0\.8\d*$", text, re.M)


def test_json_logs_carry_fields_and_never_the_query_string(caplog: pytest.LogCaptureFixture) -> None:
    from aiohttp.test_utils import make_mocked_request

    logger = logging.getLogger("web.access.test")
    request = make_mocked_request("GET", "/c/abc.opus?exp=1&sig=secret-signature",
                                  headers={"User-Agent": "ua"})
    response = aiohttp.web.Response(status=206, body=b"12345")
    with caplog.at_level(logging.INFO, logger="web.access.test"):
        JsonAccessLogger(logger, "").log(request, response, 0.0123)
    [record] = caplog.records
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/c/abc.opus" and line["status"] == 206 and line["ms"] == 12.3
    assert "secret-signature" not in json.dumps(line)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_component_serves_on_the_configured_port(tmp_path: Path, db_url: str) -> None:
    port = _free_port()
    async with web_world(db_url, tmp_path, port=port, json_logs=False) as world:
        async with (
            web_component(*web_args(world.app)),
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            assert response.status == 200
        with pytest.raises(aiohttp.ClientConnectionError):
            async with aiohttp.ClientSession() as session:
                await session.get(f"http://127.0.0.1:{port}/healthz")
