"""The hot paths' shortcuts keep their meaning: the listener cookie read from the raw header,
clip files opened by the handler (no thread pool), lookups renewed in the background."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer

from core.links import LinkSigner
from core.listeners import listener_key
from core.model import Takedown
from tests.web.support import WebWorld, web_args, web_client, web_world
from web import create_web_app
from web.resolve import SharedClips

_TOKEN = re.compile(r'data-token="([^"]+)"')


def _signer(world: WebWorld) -> LinkSigner:
    web = world.app.settings.web
    return LinkSigner(web.link_secret.get_secret_value().encode(), web.public_url, web.link_ttl_s)


async def _listener_of_page(
    world: WebWorld, client: TestClient[Any, Any], cookie: str | None
) -> tuple[str, bool]:
    """(listener key in the page's beacon token, whether the page set a new cookie)."""
    headers = {"Cookie": cookie} if cookie is not None else {}
    response = await client.get(f"/s/{world.delivery.share_id}", headers=headers)
    assert response.status == 200
    found = _TOKEN.search(await response.text())
    assert found is not None
    state = _signer(world).read_beacon_token(found.group(1))
    assert state is not None
    return state.listener_key, "refrain_lid" in response.cookies


async def test_the_listener_cookie_is_found_among_others_and_malformed_ones_are_replaced(
    world: WebWorld,
) -> None:
    secret = world.app.settings.listener_key_secret.get_secret_value().encode()
    lid = "A1b2C3d4E5f6G7h8_-xyz"
    application = create_web_app(*web_args(world.app), plays=world.plays)
    # no cookie jar: every request carries exactly the Cookie header the test writes
    async with TestClient(TestServer(application), cookie_jar=DummyCookieJar()) as client:
        for kept in (f"refrain_lid={lid}", f"theme=dark; refrain_lid={lid}; other=1",
                     f"a=b;refrain_lid={lid}"):
            key, new_cookie = await _listener_of_page(world, client, kept)
            assert key == listener_key(secret, "web", lid) and not new_cookie, kept
        for header in (None, "refrain_lid=short", f"xrefrain_lid={lid}", "refrain_lid=<script>alert(1)",
                       f"refrain_lid={lid}!!"):
            key, new_cookie = await _listener_of_page(world, client, header)
            assert new_cookie and key != listener_key(secret, "web", lid), header


async def test_a_clip_whose_blob_is_missing_answers_a_404_page(world: WebWorld) -> None:
    async with web_client(world) as client:
        url = _signer(world).clip_path(world.delivery.id, world.delivery.fmt, world.clock.now())
        world.app.blobs.path_of(world.delivery.sha256).unlink()
        response = await client.get(url)
        assert response.status == 404
        assert response.headers["Content-Type"].startswith("text/html")
        assert "Nothing here" in await response.text()


async def test_clip_preconditions_and_if_range(world: WebWorld) -> None:
    data = world.file_bytes
    async with web_client(world) as client:
        url = _signer(world).clip_path(world.delivery.id, world.delivery.fmt, world.clock.now())
        first = await client.get(url)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert await first.read() == data
        assert (await client.get(url, headers={"If-Match": '"nope"'})).status == 412
        matched = await client.get(url, headers={"If-Match": etag, "Range": "bytes=0-9"})
        assert matched.status == 206 and await matched.read() == data[:10]
        assert (await client.get(url, headers={"If-Modified-Since": modified})).status == 304
        assert (await client.get(url, headers={"If-Unmodified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"})
                ).status == 412
        # an If-Range date older than the file: the range is ignored, the whole file comes back
        whole = await client.get(url, headers={"Range": "bytes=0-9",
                                               "If-Range": "Mon, 01 Jan 1990 00:00:00 GMT"})
        assert whole.status == 200 and await whole.read() == data
        head = await client.head(url, headers={"Range": "bytes=5-"})
        assert head.status == 206 and int(head.headers["Content-Length"]) == len(data) - 5


async def test_lookups_are_renewed_in_the_background_and_never_older_than_the_ttl(
    tmp_path: Path, db_url: str,
) -> None:
    ttl = 0.6
    async with web_world(db_url, tmp_path) as world:
        shared = SharedClips(world.app.shares, ttl_s=ttl)
        share_id = world.delivery.share_id
        first = await shared.by_share_id(share_id)
        assert first is not None and first.gone is None
        await world.app.stores.deliveries.add_takedown(
            Takedown(world.clip.id, "rights holder request", "mod-1", world.clock.now())
        )
        assert await shared.by_share_id(share_id) is first  # fresh: from the cache
        await asyncio.sleep(ttl * 0.6)  # past half the TTL: stale
        assert await shared.by_share_id(share_id) is first  # still answered, renewal started
        for _ in range(100):  # the renewal lands in the background
            await asyncio.sleep(0.01)
            renewed = await shared.by_share_id(share_id)
            if renewed is not first:
                break
        assert renewed is not None and renewed.gone is not None
        assert shared.stats.misses == 1

        other = SharedClips(world.app.shares, ttl_s=ttl)
        assert (await other.by_share_id(share_id)) is not None
        await asyncio.sleep(ttl * 1.1)  # nobody asked for a whole TTL: wait for the database
        assert other.stats.misses == 1
        await other.by_share_id(share_id)
        assert other.stats.misses == 2
