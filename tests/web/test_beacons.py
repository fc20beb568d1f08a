"""POST /b: start/progress/end become one play event; forgeries, replays and floods create none."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from core.links import LinkSigner
from core.listeners import listener_key
from core.model import Origin, UsageType
from tests.web.conftest import BOTH_BACKENDS
from tests.web.support import MemoryPlayLog, WebWorld, web_client, web_world
from web.state import STATE

Client = TestClient[Any, Any]


async def open_page(client: Client, world: WebWorld, query: str = "") -> str:
    html = await (await client.get(f"/s/{world.delivery.share_id}{query}")).text()
    found = re.search(r'data-token="([^"]+)"', html)
    assert found
    return found.group(1)


async def beacon(client: Client, world: WebWorld, token: str, kind: str, ms: int = 0,
                 **extra: Any) -> tuple[int, str]:
    body = {"t": token, "k": kind, "ms": ms, "at": int(world.clock.now().timestamp() * 1000), **extra}
    response = await client.post("/b", json=body)
    data = await response.json()
    return response.status, data.get("t", "")


def plays(world: WebWorld) -> list[Any]:
    assert isinstance(world.plays, MemoryPlayLog)
    return list(world.plays.events.values())


async def listen(client: Client, world: WebWorld, token: str, seconds: int) -> str:
    """start, a progress beacon every 10 s, end; returns the token after the end."""
    status, token = await beacon(client, world, token, "start")
    assert status == 200
    for elapsed in range(10, seconds, 10):
        world.clock.advance(timedelta(seconds=10))
        status, token = await beacon(client, world, token, "progress", elapsed * 1000)
        assert status == 200
    world.clock.advance(timedelta(seconds=seconds % 10 or 10))
    status, token = await beacon(client, world, token, "end", seconds * 1000)
    assert status == 200
    return token


async def test_a_listen_becomes_one_stream_play(tmp_path: Path, db_url: str) -> None:
    async with web_world(db_url, tmp_path, seconds=40.0) as world, web_client(world) as client:
        token = await open_page(client, world)
        await listen(client, world, token, 31)
        [play] = plays(world)
        assert play.usage is UsageType.STREAM and play.origin is Origin.SHARED_LINK
        assert play.clip_id == world.clip.id and play.delivery_id == world.delivery.id
        assert play.ms_played == 31_000 and play.platform == "web" and play.territory == "WW"
        cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["refrain_lid"].value
        secret = world.app.settings.listener_key_secret.get_secret_value().encode()
        assert play.listener_key == listener_key(secret, "web", cookie)
        assert cookie not in play.listener_key
        metrics = await (await client.get("/metrics")).text()
        assert "refrain_plays_ingested_total 1" in metrics


async def test_replaying_every_beacon_creates_no_second_play(tmp_path: Path, db_url: str) -> None:
    async with web_world(db_url, tmp_path, seconds=40.0) as world, web_client(world) as client:
        page = await open_page(client, world)
        status, started = await beacon(client, world, page, "start")
        world.clock.advance(timedelta(seconds=35))
        status, _ = await beacon(client, world, started, "end", 35_000)
        assert status == 200 and len(plays(world)) == 1
        # the same end again, an end from the same start with another figure, a restart of the page token
        assert (await beacon(client, world, started, "end", 35_000))[0] == 200
        assert (await beacon(client, world, started, "end", 30_000))[0] == 200
        status, restarted = await beacon(client, world, page, "start")
        assert status == 200
        world.clock.advance(timedelta(seconds=35))
        await beacon(client, world, restarted, "end", 35_000)
        assert len(plays(world)) == 1
        assert plays(world)[0].ms_played == 35_000  # the first stored figure stands


async def test_playing_again_after_the_end_is_a_second_play(tmp_path: Path, db_url: str) -> None:
    async with web_world(db_url, tmp_path, seconds=40.0) as world, web_client(world) as client:
        token = await open_page(client, world)
        token = await listen(client, world, token, 31)
        await listen(client, world, token, 12)
        assert sorted(p.ms_played for p in plays(world)) == [12_000, 31_000]
        assert len({p.event_id for p in plays(world)}) == 2


async def test_forged_and_tampered_tokens_are_refused(world: WebWorld) -> None:
    async with web_client(world) as client:
        token = await open_page(client, world)
        other = LinkSigner(b"not-the-secret", "http://x", 60)
        state = world_state(world, token)
        assert (await beacon(client, world, other.beacon_token(state), "start"))[0] == 403
        flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
        assert (await beacon(client, world, flipped, "start"))[0] == 403
        assert (await beacon(client, world, "", "start"))[0] == 403
        assert plays(world) == []


async def test_impossible_timings_and_wrong_order_store_nothing(tmp_path: Path, db_url: str) -> None:
    async with web_world(db_url, tmp_path, seconds=40.0) as world, web_client(world) as client:
        token = await open_page(client, world)
        assert (await beacon(client, world, token, "end", 31_000))[0] == 409  # never started
        _, started = await beacon(client, world, token, "start")
        assert (await beacon(client, world, started, "start"))[0] == 409
        world.clock.advance(timedelta(seconds=5))
        assert (await beacon(client, world, started, "end", 31_000))[0] == 422  # 31 s in 5 s
        assert (await beacon(client, world, started, "progress", 30_000))[0] == 422
        world.clock.advance(timedelta(hours=7))  # pages are not tickets forever
        assert (await beacon(client, world, started, "end", 31_000))[0] == 410
        assert plays(world) == []


async def test_short_listens_are_not_stored(world: WebWorld) -> None:
    async with web_client(world) as client:
        token = await open_page(client, world)
        _, started = await beacon(client, world, token, "start")
        world.clock.advance(timedelta(milliseconds=400))
        assert (await beacon(client, world, started, "end", 400))[0] == 200
        assert plays(world) == []


async def test_malformed_beacons_are_400_and_oversized_413(world: WebWorld) -> None:
    async with web_client(world) as client:
        token = await open_page(client, world)
        bodies: list[Any] = [
            b"not json", b"[1,2]", b"{}", {"t": token, "k": "pause"}, {"t": token, "k": "start", "ms": -1},
            {"t": token, "k": "start", "ms": "10"}, {"t": token, "k": "start", "ms": True},
            {"t": 5, "k": "start"}, {"t": token, "k": "start", "at": 1.5},
        ]
        for body in bodies:
            if isinstance(body, bytes):
                response = await client.post("/b", data=body)
            else:
                response = await client.post("/b", json=body)
            assert response.status == 400, body
        huge = await client.post("/b", data=b"{" + b" " * 10_000 + b"}")
        assert huge.status == 413
        assert plays(world) == []


async def test_floods_are_rate_limited_in_bounded_memory(tmp_path: Path, db_url: str) -> None:
    async with web_world(db_url, tmp_path, beacon_burst_per_ip=5, beacon_rate_per_ip=1,
                         rate_limit_entries=50) as world, web_client(world) as client:
        token = await open_page(client, world)
        statuses = [(await beacon(client, world, token, "progress", 0))[0] for _ in range(20)]
        assert statuses[:5] == [409] * 5  # let through (and refused on their merits)
        assert set(statuses[5:]) == {429}
        limited = await client.post("/b", json={"t": token, "k": "start"})
        assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
        # a flood from many addresses (through a trusted proxy) keeps at most 50 buckets
        assert isinstance(client.server, TestServer)
        state = client.server.app[STATE]
        for i in range(200):
            state.ip_limits.allow(f"10.0.{i // 256}.{i % 256}", 0.0)
        assert len(state.ip_limits) == 50
        assert plays(world) == []


async def test_trusted_proxy_addresses_are_believed_others_not(tmp_path: Path, db_url: str) -> None:
    async with web_world(db_url, tmp_path, beacon_burst_per_ip=2, beacon_rate_per_ip=1,
                         trusted_proxies=["127.0.0.1/32"]) as world, web_client(world) as client:
        token = await open_page(client, world)
        for client_ip in ("203.0.113.1", "203.0.113.2"):
            headers = {"X-Forwarded-For": f"198.51.100.9, {client_ip}"}
            codes = [(await client.post("/b", json={"t": token, "k": "end"}, headers=headers)).status
                     for _ in range(3)]
            assert codes == [409, 409, 429]  # each client has its own bucket


async def test_a_link_made_for_a_known_user_counts_as_that_user(tmp_path: Path, db_url: str) -> None:
    async with web_world(db_url, tmp_path, seconds=40.0) as world, web_client(world) as client:
        user = await world.app.stores.users.get_or_create("telegram", "4242", "Tess", world.clock.now())
        await world.app.stores.users.set_country(user.id, "DE")
        signer = signer_of(world)
        marker = signer.share_url(world.delivery.share_id, for_user_id=user.id).split("?")[1]
        token = await open_page(client, world, "?" + marker)
        await listen(client, world, token, 31)
        [play] = plays(world)
        secret = world.app.settings.listener_key_secret.get_secret_value().encode()
        assert play.listener_key == listener_key(secret, "telegram", "4242")
        assert play.territory == "DE"
        forged = await open_page(client, world, f"?u={user.id}.{'0' * 32}")
        assert world_state(world, forged).listener_key != play.listener_key


def signer_of(world: WebWorld) -> LinkSigner:
    web = world.app.settings.web
    return LinkSigner(web.link_secret.get_secret_value().encode(), web.public_url, web.link_ttl_s)


def world_state(world: WebWorld, token: str) -> Any:
    state = signer_of(world).read_beacon_token(token)
    assert state is not None
    return state


@BOTH_BACKENDS
async def test_plays_land_once_in_the_sql_play_log(tmp_path: Path, db_url: str) -> None:
    from storage.repositories.plays import SqlPlayLog
    from storage.sessions import Sessions

    async with web_world(db_url, tmp_path, seconds=40.0) as world:
        log = SqlPlayLog(Sessions(world.app.database.engine))
        world.plays = log
        async with web_client(world) as client:
            page = await open_page(client, world)
            _, started = await beacon(client, world, page, "start")
            world.clock.advance(timedelta(seconds=31))
            for _ in range(3):  # the end, then two replays of it
                assert (await beacon(client, world, started, "end", 31_000))[0] == 200
            _, again = await beacon(client, world, page, "start")  # a replayed page token
            world.clock.advance(timedelta(seconds=31))
            assert (await beacon(client, world, again, "end", 31_000))[0] == 200
            assert await log.count() == 1
