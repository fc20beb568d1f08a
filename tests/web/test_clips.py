"""GET /c/<delivery>.<fmt>: signatures, expiry, ranges, conditional requests, 404/410, traversal."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.links import LinkSigner
from core.model import Takedown
from tests.web.conftest import BOTH_BACKENDS
from tests.web.support import WebWorld, web_client


def clip_path(world: WebWorld) -> str:
    return world_signer(world).clip_path(world.delivery.id, world.delivery.fmt, world.clock.now())


def world_signer(world: WebWorld) -> LinkSigner:
    web = world.app.settings.web
    return LinkSigner(web.link_secret.get_secret_value().encode(), web.public_url, web.link_ttl_s)


@BOTH_BACKENDS
async def test_a_signed_link_serves_the_deliverys_file(world: WebWorld) -> None:
    async with web_client(world) as client:
        response = await client.get(clip_path(world))
        assert response.status == 200
        assert response.headers["Content-Type"] == "audio/ogg"
        assert response.headers["Accept-Ranges"] == "bytes"
        assert response.headers["ETag"]
        assert "private" in response.headers["Cache-Control"]
        assert await response.read() == world.file_bytes
        head = await client.head(clip_path(world))
        assert head.status == 200 and int(head.headers["Content-Length"]) == len(world.file_bytes)


async def test_ranges_answer_206_with_the_exact_bytes(world: WebWorld) -> None:
    data, size = world.file_bytes, len(world.file_bytes)
    async with web_client(world) as client:
        url = clip_path(world)
        part = await client.get(url, headers={"Range": "bytes=100-1099"})
        assert part.status == 206
        assert part.headers["Content-Range"] == f"bytes 100-1099/{size}"
        assert await part.read() == data[100:1100]
        tail = await client.get(url, headers={"Range": "bytes=-500"})
        assert tail.status == 206 and await tail.read() == data[-500:]
        rest = await client.get(url, headers={"Range": f"bytes={size - 10}-"})
        assert await rest.read() == data[-10:]
        beyond = await client.get(url, headers={"Range": f"bytes={size + 10}-{size + 20}"})
        assert beyond.status == 416 and beyond.headers["Content-Range"] == f"bytes */{size}"
        for malformed in ("bytes=abc", "bytes=5-1", "items=0-5", "bytes=0-1,5-6", "bytes=-", "b" * 5000):
            bad = await client.get(url, headers={"Range": malformed})
            assert bad.status == 416, malformed
            assert await bad.read() == b""


async def test_etag_makes_a_second_fetch_free(world: WebWorld) -> None:
    async with web_client(world) as client:
        url = clip_path(world)
        etag = (await client.get(url)).headers["ETag"]
        again = await client.get(url, headers={"If-None-Match": etag})
        assert again.status == 304 and await again.read() == b""
        stale = await client.get(url, headers={"If-None-Match": '"something-else"'})
        assert stale.status == 200


async def test_unsigned_forged_and_expired_links_are_refused(world: WebWorld) -> None:
    good = clip_path(world)
    base = good.split("?")[0]
    async with web_client(world) as client:
        for url in (base, f"{base}?exp=1", f"{base}?sig=abc"):
            response = await client.get(url)
            assert response.status == 403
            assert "share page" in await response.text()
        forged = good[:-1] + ("0" if good[-1] != "0" else "1")
        assert (await client.get(forged)).status == 403
        other_fmt = good.replace(".opus?", ".mp3?")
        assert (await client.get(other_fmt)).status == 403  # the signature covers the format
        world.clock.advance(timedelta(days=8))
        expired = await client.get(good)
        assert expired.status == 403
        assert "expired" in await expired.text()


async def test_unknown_deliveries_and_formats_are_404(world: WebWorld) -> None:
    signer = world_signer(world)
    now = world.clock.now()
    async with web_client(world) as client:
        missing = signer.clip_path("0190aaaa-0000-7000-8000-000000000000", "opus", now)
        assert (await client.get(missing)).status == 404
        wrong_fmt = signer.clip_path(world.delivery.id, "mp3", now)  # validly signed, not its format
        assert (await client.get(wrong_fmt)).status == 404
        assert (await client.get(signer.clip_path(world.delivery.id, "wav", now))).status == 404


@pytest.mark.parametrize(
    "path",
    [
        "/c/../../../../etc/passwd",
        "/c/..%2F..%2F..%2Fetc%2Fpasswd",
        "/c/%2e%2e%2f%2e%2e%2fetc%2fpasswd.opus",
        "/c/..\\..\\etc\\passwd.opus",
        "/c/",
        "/c",
        "/static/",
        "/static/../web/app.py",
        "/static/%2e%2e/app.py",
        "/blobs/",
        "/c/x.opus/../../etc/passwd",
    ],
)
async def test_no_traversal_and_no_listing(world: WebWorld, path: str) -> None:
    async with web_client(world) as client:
        response = await client.get(path + "?exp=99999999999&sig=" + "0" * 32)
        assert response.status in (403, 404)
        body = await response.read()
        assert b"root:" not in body and b"import" not in body and world.file_bytes[:64] not in body
        assert b"Index of" not in body


async def test_taken_down_clips_answer_410_with_a_page(world: WebWorld) -> None:
    async with web_client(world) as client:
        url = clip_path(world)
        assert (await client.get(url)).status == 200
        await world.app.stores.deliveries.add_takedown(
            Takedown(world.clip.id, "rights holder request", "mod-1", world.clock.now())
        )
        gone = await client.get(url)
        assert gone.status == 410
        assert gone.headers["Content-Type"].startswith("text/html")
        assert "taken down" in await gone.text()


async def test_revoked_voice_answers_410(world: WebWorld, tmp_path: Path) -> None:
    _, delivery = await world.deliver_again(voice_model_id="voice-ada", folder=tmp_path)
    signer = world_signer(world)
    async with web_client(world) as client:
        url = signer.clip_path(delivery.id, delivery.fmt, world.clock.now())
        assert (await client.get(url)).status == 200
        await world.app.stores.catalog.revoke_voice_model("voice-ada", world.clock.now())
        gone = await client.get(url)
        assert gone.status == 410 and "consent" in await gone.text()
        page = await client.get(f"/s/{delivery.share_id}")
        assert page.status == 410


async def test_huge_headers_are_refused_cheaply(world: WebWorld) -> None:
    async with web_client(world) as client:
        response = await client.get(clip_path(world), headers={"X-Junk": "a" * 20_000})
        assert response.status in (400, 431)
        response = await client.get("/s/" + "a" * 20_000)
        assert response.status in (400, 404, 414)
