"""Web load: share pages per second and clip bytes per second, over loopback.

The real web application (``web_component`` over a real ``App`` on SQLite
with one delivered clip, a 60-s MP3 encoded by ffmpeg) runs in a child
process; this process is the load generator: aiohttp clients with keep-alive
and a cookie jar, like browsers. Two phases:

- pages: ``--page-concurrency`` clients loop ``GET /s/<share_id>`` (each
  answer is a fresh page: its own nonce, beacon token and signed clip link);
- clips: ``--clip-concurrency`` clients loop the full clip download through
  its signed URL (the file is in the page cache after the first read:
  sendfile from cache to socket).

Targets (issue #10): ≥ 2,000 pages/s and ≥ 500 MB/s aggregate for cached
clip bytes. On a 2-core machine client and server share the cores.

Usage: ``.venv/bin/python benchmarks/web_load.py [--quick]``. The last line is
a JSON object: ``page_rps``, ``page_p99_ms``, ``clip_mb_per_s`` plus the
request counts, errors, targets, ``met`` and the CPU count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp

TARGET_PAGE_RPS = 2000.0
TARGET_CLIP_MB_S = 500.0
CLIP_SECONDS = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _prepare(folder: Path, port: int) -> tuple[Any, str]:
    """Settings, and a migrated database with a rights catalog and one delivered 60-s MP3 clip.

    Built with the test suite's world builders (real storage, a real ffmpeg encoding).
    """
    from pydantic import SecretStr

    from config import RefrainSettings
    from config.web import WebSettings
    from core.audio.encode import EncodeFormat
    from jobs.memory import InMemoryQueue
    from refrain.app import open_app
    from storage.migrate import upgrade
    from tests.storage.factories import seed
    from tests.web.support import add_delivered_clip

    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    await upgrade(url)
    settings = RefrainSettings(
        database_url=url, blobs_dir=folder / "blobs",
        web=WebSettings(port=port, public_url=f"http://127.0.0.1:{port}",
                        link_secret=SecretStr("bench"), json_logs=False),
    )
    async with open_app(settings, queue=InMemoryQueue()) as app:
        await seed(app.stores)
        _, delivery = await add_delivered_clip(app, app.clock, folder, fmt=EncodeFormat.MP3,
                                               seconds=CLIP_SECONDS)
    return settings, delivery.share_id


def _serve(settings_json: str, ready: Any) -> None:
    """Child process: the real web component until killed."""
    import logging

    from config import RefrainSettings
    from jobs.memory import InMemoryQueue
    from refrain.app import open_app
    from web import web_component

    logging.disable(logging.WARNING)
    settings = RefrainSettings.model_validate_json(settings_json)

    async def main() -> None:
        async with open_app(settings, queue=InMemoryQueue()) as app, web_component(app):
            ready.set()
            await asyncio.Event().wait()

    asyncio.run(main())


async def _pages(base: str, share_id: str, seconds: float, concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=jar) as http:
        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                async with http.get(f"{base}/s/{share_id}") as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
    return {"page_requests": len(latencies), "page_errors": errors,
            "page_rps": round(len(latencies) / elapsed, 1), "page_p99_ms": round(p99 * 1000, 2)}


async def _clips(base: str, share_id: str, seconds: float, concurrency: int) -> dict[str, Any]:
    total = 0
    downloads = errors = 0
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar, read_bufsize=4 << 20) as http:
        async with http.get(f"{base}/s/{share_id}") as response:
            page = await response.text()
        found = re.search(r'<audio[^>]+src="([^"]+)"', page)
        if found is None:
            raise SystemExit("the share page has no player")
        clip_url = base + found.group(1).replace("&amp;", "&")
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal total, downloads, errors
            while time.perf_counter() < deadline:
                async with http.get(clip_url) as response:
                    if response.status != 200:
                        errors += 1
                    while chunk := await response.content.readany():
                        total += len(chunk)
                downloads += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return {"clip_downloads": downloads, "clip_errors": errors,
            "clip_mb_per_s": round(total / elapsed / 1e6, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 s per phase instead of 10")
    parser.add_argument("--page-concurrency", type=int, default=32)
    parser.add_argument("--clip-concurrency", type=int, default=8)
    args = parser.parse_args()
    seconds = 3.0 if args.quick else 10.0
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="refrain-web-load-") as tmp:
        settings, share_id = asyncio.run(_prepare(Path(tmp), port))
        context = multiprocessing.get_context("spawn")
        ready = context.Event()
        server = context.Process(target=_serve, args=(settings.model_dump_json(), ready), daemon=True)
        server.start()
        try:
            if not ready.wait(300):
                raise SystemExit("the web server did not start")
            base = f"http://127.0.0.1:{port}"
            result: dict[str, Any] = {}
            result.update(asyncio.run(_pages(base, share_id, seconds, args.page_concurrency)))
            result.update(asyncio.run(_clips(base, share_id, seconds, args.clip_concurrency)))
        finally:
            server.terminate()
            server.join(10)
    result.update({
        "target_page_rps": TARGET_PAGE_RPS,
        "target_clip_mb_per_s": TARGET_CLIP_MB_S,
        "met": result["page_rps"] >= TARGET_PAGE_RPS and result["clip_mb_per_s"] >= TARGET_CLIP_MB_S,
        "cpus": os.cpu_count(),
        "quick": args.quick,
    })
    print(json.dumps(result))


if __name__ == "__main__":
    main()
