"""Web load: share pages per second (with p99 latency) and clip bytes per second, over loopback.

The real web application (``web_component`` over a real ``App`` on SQLite
with a few delivered clips, 60-s MP3s encoded by ffmpeg, in a real blob
store) runs in its own process (``--processes`` of them sharing the port with
``SO_REUSEPORT``, like ``web.processes``); the load generator is another
process, so it never shares the server's event loop:

- ``wrk`` when it is installed (``apt-get install wrk``): C, one thread, far
  cheaper per request than any Python client, with Lua scripts that send a
  listener cookie like a returning browser and print their summary as JSON;
- otherwise aiohttp clients in this process (keep-alive, cookie jar), which
  on a small machine measure mostly themselves.

Two phases:

- pages: ``--page-connections`` keep-alive connections loop ``GET
  /s/<share_id>`` over the clips' share ids (each answer is a fresh page: its
  own nonce, beacon token and signed clip link);
- clips: ``--clip-connections`` connections loop ``Range`` requests over the
  clips' signed URLs: half ``bytes=0-`` (what ``<audio>`` asks first), half a
  seek to a random offset to the end. The files are in the page cache after
  the first read: sendfile from cache to socket.

Targets (issue #10): ≥ 2,000 pages/s and ≥ 500 MB/s aggregate for cached
clip bytes. On a 2-core machine the client, the server and everything else
share the cores; ``server_cpu_s``/``client_cpu_s`` say who used them.

Usage: ``.venv/bin/python benchmarks/web_load.py [--quick | --smoke] [--processes N] [--client wrk|aiohttp]``
(``--quick``: 3 s per phase; ``--smoke``: 1 s per phase over two 5-s clips).
The last line is a JSON object: ``page_rps``, ``page_p99_ms``, ``clip_mb_per_s``, ``client``
plus request counts, errors, CPU seconds, targets and ``met``, both rates per
calibration and the machine (``benchmarks/_machine.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp

from benchmarks._machine import add_run_size, emit, machine_info

TARGET_PAGE_RPS = 2000.0
TARGET_CLIP_MB_S = 500.0
CLIP_SECONDS = (60.0, 61.0, 62.0, 63.0)  # distinct files: distinct blobs
SMOKE_CLIP_SECONDS = (5.0, 6.0)
COOKIE = "refrain_lid=benchmark-returning-listener-0001"


@dataclass(frozen=True)
class ClipLink:
    path: str  # /c/<delivery>.mp3?exp=…&sig=…
    size: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _prepare(folder: Path, port: int, clip_seconds: tuple[float, ...]) -> tuple[Any, list[str]]:
    """Settings, and a migrated database with a rights catalog and a few delivered MP3 clips.

    Built with the test suite's world builders (real storage, real ffmpeg encodings).
    """
    from pydantic import SecretStr

    from config import RefrainSettings
    from config.web import WebSettings
    from engine.encode import EncodeFormat
    from jobs import InMemoryQueue
    from refrain.app import open_app
    from storage import upgrade
    from tests.storage.factories import seed
    from tests.web.support import add_delivered_clip

    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    await upgrade(url)
    settings = RefrainSettings(
        database_url=url, blobs_dir=folder / "blobs",
        web=WebSettings(port=port, public_url=f"http://127.0.0.1:{port}",
                        link_secret=SecretStr("bench"), json_logs=False),
    )
    share_ids = []
    async with open_app(settings, queue=InMemoryQueue()) as app:
        await seed(app.stores)
        for seconds in clip_seconds:
            _, delivery = await add_delivered_clip(app, app.clock, folder, fmt=EncodeFormat.MP3,
                                                   seconds=seconds)
            share_ids.append(delivery.share_id)
    return settings, share_ids


def _serve(settings_json: str, ready: Any, reuse_port: bool) -> None:
    """Child process: the real web component until killed."""
    import logging

    from config import RefrainSettings
    from jobs import InMemoryQueue
    from refrain.app import open_app
    from refrain.components import listener_secret
    from web import web_component

    logging.disable(logging.WARNING)
    settings = RefrainSettings.model_validate_json(settings_json)

    async def main() -> None:
        async with (open_app(settings, queue=InMemoryQueue()) as app,
                    web_component(app, settings.web, listener_secret(settings),
                                  reuse_port=reuse_port)):
            ready.set()
            await asyncio.Event().wait()

    asyncio.run(main())


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux ``/proc``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _clip_links(base: str, share_ids: list[str]) -> list[ClipLink]:
    """Each share page's signed clip link (what a browser's ``<audio>`` fetches) and its size."""
    links = []
    for share_id in share_ids:
        with urllib.request.urlopen(f"{base}/s/{share_id}", timeout=30) as response:
            page = response.read().decode()
        found = re.search(r'<audio[^>]+src="([^"]+)"', page)
        if found is None:
            raise SystemExit("the share page has no player")
        path = found.group(1).replace("&amp;", "&")
        with urllib.request.urlopen(base + path, timeout=30) as response:
            size = len(response.read())
        links.append(ClipLink(path, size))
    return links


# -- wrk -------------------------------------------------------------------------------------------

_WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nWRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p99_us": %d, '
    .. '"max_us": %d, "errors": %d, "status_errors": %d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def _lua_list(items: list[str]) -> str:
    return "{" + ", ".join(json.dumps(item) for item in items) + "}"


def _pages_lua(share_ids: list[str]) -> str:
    return f"""
local paths = {_lua_list([f"/s/{s}" for s in share_ids])}
local i = 0
wrk.headers["Cookie"] = "{COOKIE}"
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
""" + _WRK_DONE


def _clips_lua(links: list[ClipLink]) -> str:
    paths = _lua_list([link.path for link in links])
    sizes = "{" + ", ".join(str(link.size) for link in links) + "}"
    return f"""
local paths = {paths}
local sizes = {sizes}
init = function(args)
  math.randomseed(os.time() + tonumber(tostring({{}}):sub(8), 16) % 100000)
end
request = function()
  local k = math.random(#paths)
  local start = 0
  if math.random() < 0.5 then start = math.random(0, sizes[k] - 1) end
  return wrk.format("GET", paths[k], {{["Range"] = "bytes=" .. start .. "-"}})
end
""" + _WRK_DONE


def _wrk(url: str, script: str, folder: Path, seconds: float, connections: int) -> dict[str, Any]:
    lua = folder / f"wrk-{random.randrange(1 << 30)}.lua"
    lua.write_text(script)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "--latency",
         "-s", str(lua), url],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((ln for ln in out.splitlines() if ln.startswith("WRK_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no summary:\n{out}")
    summary: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
    summary["client_cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return summary


def _wrk_pages(base: str, share_ids: list[str], folder: Path, seconds: float,
               connections: int) -> dict[str, Any]:
    s = _wrk(base + "/", _pages_lua(share_ids), folder, seconds, connections)
    elapsed = s["duration_us"] / 1e6
    return {"page_requests": s["requests"], "page_errors": s["errors"] + s["status_errors"],
            "page_rps": round(s["requests"] / elapsed, 1), "page_p50_ms": round(s["p50_us"] / 1000, 2),
            "page_p99_ms": round(s["p99_us"] / 1000, 2), "page_client_cpu_s": round(s["client_cpu_s"], 2)}


def _wrk_clips(base: str, links: list[ClipLink], folder: Path, seconds: float,
               connections: int) -> dict[str, Any]:
    s = _wrk(base + "/", _clips_lua(links), folder, seconds, connections)
    elapsed = s["duration_us"] / 1e6
    return {"clip_requests": s["requests"], "clip_errors": s["errors"] + s["status_errors"],
            "clip_rps": round(s["requests"] / elapsed, 1),
            "clip_mb_per_s": round(s["bytes"] / elapsed / 1e6, 1),
            "clip_p99_ms": round(s["p99_us"] / 1000, 2), "clip_client_cpu_s": round(s["client_cpu_s"], 2)}


# -- aiohttp fallback ------------------------------------------------------------------------------

async def _aio_pages(base: str, share_ids: list[str], seconds: float, concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    cpu = time.process_time()
    connector = aiohttp.TCPConnector(limit=concurrency)
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=jar) as http:
        deadline = time.perf_counter() + seconds

        async def worker(n: int) -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                n += 1
                started = time.perf_counter()
                async with http.get(f"{base}/s/{share_ids[n % len(share_ids)]}") as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    p50 = latencies[len(latencies) // 2] if latencies else 0.0
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
    return {"page_requests": len(latencies), "page_errors": errors,
            "page_rps": round(len(latencies) / elapsed, 1), "page_p50_ms": round(p50 * 1000, 2),
            "page_p99_ms": round(p99 * 1000, 2),
            "page_client_cpu_s": round(time.process_time() - cpu, 2)}


async def _aio_clips(base: str, links: list[ClipLink], seconds: float, concurrency: int) -> dict[str, Any]:
    total = requests = errors = 0
    latencies: list[float] = []
    cpu = time.process_time()
    rng = random.Random(7)
    async with aiohttp.ClientSession(read_bufsize=4 << 20) as http:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal total, requests, errors
            while time.perf_counter() < deadline:
                link = rng.choice(links)
                start = rng.randrange(link.size) if rng.random() < 0.5 else 0
                started = time.perf_counter()
                async with http.get(base + link.path, headers={"Range": f"bytes={start}-"}) as response:
                    if response.status != 206:
                        errors += 1
                    while chunk := await response.content.readany():
                        total += len(chunk)
                latencies.append(time.perf_counter() - started)
                requests += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return {"clip_requests": requests, "clip_errors": errors, "clip_rps": round(requests / elapsed, 1),
            "clip_mb_per_s": round(total / elapsed / 1e6, 1), "clip_p99_ms": round(_p99(latencies) * 1000, 2),
            "clip_client_cpu_s": round(time.process_time() - cpu, 2)}


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0


# -------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_run_size(parser, quick="3 s per phase instead of 15", smoke="1 s per phase, two 5-s clips")
    parser.add_argument("--client", choices=("auto", "wrk", "aiohttp"), default="auto",
                        help="load generator (auto: wrk when installed)")
    parser.add_argument("--processes", type=int, default=1, help="server processes (SO_REUSEPORT)")
    parser.add_argument("--page-connections", type=int, default=32)
    parser.add_argument("--clip-connections", type=int, default=8)
    args = parser.parse_args()
    machine = machine_info()
    seconds = 1.0 if args.smoke else 3.0 if args.quick else 15.0  # whole seconds: wrk's -d takes no fraction
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "aiohttp"
    elif client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="refrain-web-load-") as tmp:
        folder = Path(tmp)
        settings, share_ids = asyncio.run(
            _prepare(folder, port, SMOKE_CLIP_SECONDS if args.smoke else CLIP_SECONDS))
        context = multiprocessing.get_context("spawn")
        servers = []
        for _ in range(max(1, args.processes)):
            ready = context.Event()
            server = context.Process(target=_serve, daemon=True,
                                     args=(settings.model_dump_json(), ready, args.processes > 1))
            server.start()
            servers.append((server, ready))
        try:
            for _, ready in servers:
                if not ready.wait(300):
                    raise SystemExit("the web server did not start")
            base = f"http://127.0.0.1:{port}"
            links = _clip_links(base, share_ids)
            pids = [server.pid for server, _ in servers if server.pid is not None]
            result: dict[str, Any] = {"client": client, "server_processes": len(servers)}
            cpu0 = sum(_cpu_s(pid) for pid in pids)
            if client == "wrk":
                result.update(_wrk_pages(base, share_ids, folder, seconds, args.page_connections))
            else:
                result.update(asyncio.run(_aio_pages(base, share_ids, seconds, args.page_connections)))
            cpu1 = sum(_cpu_s(pid) for pid in pids)
            if client == "wrk":
                result.update(_wrk_clips(base, links, folder, seconds, args.clip_connections))
            else:
                result.update(asyncio.run(_aio_clips(base, links, seconds, args.clip_connections)))
            cpu2 = sum(_cpu_s(pid) for pid in pids)
            result["page_server_cpu_s"] = round(cpu1 - cpu0, 2)
            result["clip_server_cpu_s"] = round(cpu2 - cpu1, 2)
            # load-independent: what one answer costs the server, whatever else the cores ran
            result["page_server_us_per_request"] = round(
                (cpu1 - cpu0) / max(1, result["page_requests"]) * 1e6, 1)
            result["clip_server_ms_per_mb"] = round(
                (cpu2 - cpu1) / max(1e-9, result["clip_mb_per_s"] * seconds) * 1e3, 3)
        finally:
            for server, _ in servers:
                server.terminate()
            for server, _ in servers:
                server.join(10)
    result.update({
        "seconds_per_phase": seconds,
        "target_page_rps": TARGET_PAGE_RPS,
        "target_clip_mb_per_s": TARGET_CLIP_MB_S,
        "met": result["page_rps"] >= TARGET_PAGE_RPS and result["clip_mb_per_s"] >= TARGET_CLIP_MB_S,
        "quick": args.quick,
        "smoke": args.smoke,
    })
    emit(result, machine, speeds=("page_rps", "clip_mb_per_s"))


if __name__ == "__main__":
    main()
