"""A web world: a migrated database, a rights catalog, a real encoded clip delivered once, the web app.

Built with the real storage (tests.storage.factories' catalog, a real
request moved to DELIVERED, a clip, a delivery whose file is a real Opus
encoding in the blob store) so the handlers read what production reads.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from aiohttp.test_utils import TestClient, TestServer

from config import RefrainSettings
from config.web import WebSettings
from core.clock import ManualClock
from core.ids import new_id
from core.model import Clip, Delivery, Origin, PlayEvent, RequestState
from core.ports import Clock, PlayLog
from engine.encode import ClipTags, EncodeFormat, encode
from jobs.memory import InMemoryQueue
from refrain.app import App, open_app
from refrain.components import listener_secret
from tests.storage.factories import T0, render_request, seed, user_reservation
from web import create_web_app

LINK_SECRET = "test-link-secret"
_encoded: dict[tuple[float, str], bytes] = {}


class MemoryPlayLog:
    """``core.ports.PlayLog`` in memory: append-only, idempotent on event id."""

    def __init__(self) -> None:
        self.events: dict[str, PlayEvent] = {}

    async def append(self, events: Sequence[PlayEvent]) -> int:
        new = 0
        for event in events:
            if event.event_id not in self.events:
                self.events[event.event_id] = event
                new += 1
        return new


def encoded_clip(seconds: float, fmt: EncodeFormat, folder: Path) -> bytes:
    """A real encoded clip: a chord with a little noise (cached per session: ffmpeg is slow)."""
    key = (seconds, fmt.value)
    if key not in _encoded:
        rate = 48_000
        t = np.arange(int(seconds * rate)) / rate
        tone = sum(0.15 * np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6))
        noise = np.random.default_rng(7).normal(0, 0.01, t.shape)
        audio = np.stack([tone + noise, tone - noise]).astype(np.float32)
        tags = ClipTags(title="Golden Hour (Lo-fi cover)", artist="Refrain", clip_id="test",
                        license_id="lic", license_version=1)
        out = encode(audio, rate, fmt, folder / f"clip{fmt.suffix}", tags)
        _encoded[key] = out.path.read_bytes()
    return _encoded[key]


@dataclass
class WebWorld:
    app: App
    clock: ManualClock
    plays: MemoryPlayLog | Any
    clip: Clip
    delivery: Delivery
    file_bytes: bytes

    async def deliver_again(
        self, *, voice_model_id: str | None = None, fmt: EncodeFormat = EncodeFormat.OPUS,
        seconds: float = 3.0, folder: Path,
    ) -> tuple[Clip, Delivery]:
        return await add_delivered_clip(self.app, self.clock, folder, voice_model_id=voice_model_id,
                                        fmt=fmt, seconds=seconds)


async def add_delivered_clip(
    app: App, clock: Clock, folder: Path, *, voice_model_id: str | None = None,
    fmt: EncodeFormat = EncodeFormat.OPUS, seconds: float = 3.0, recording_id: str = "rec-1",
) -> tuple[Clip, Delivery]:
    stores = app.stores
    user = await stores.users.get_or_create("console", "alice", "Alice", T0)
    license_ = await stores.catalog.current_license(recording_id)
    assert license_ is not None
    from tests.storage.factories import Seeded

    request = dataclasses.replace(
        render_request(Seeded(user, license_, recording_id), seconds=int(seconds) or 1),
        voice_model_id=voice_model_id,
    )
    await stores.requests.create(request, [user_reservation(user.id, request.seconds, 600)], T0)
    data = encoded_clip(seconds, fmt, folder)
    sha = await app.blobs.put_bytes(data)
    clip = Clip(
        id=new_id(), request_id=request.id, recording_id=recording_id, transformation=request.transformation,
        style="lofi", voice_model_id=voice_model_id, license_id=license_.id,
        license_version=license_.version, requester_id=user.id, audio_sha256=sha,
        duration_s=seconds, watermark_token=None, created_at=clock.now(),
    )
    await stores.clips.add(clip)
    await stores.requests.transition(
        request.id, frozenset({RequestState.QUEUED}), RequestState.RUNNING, T0
    )
    await stores.requests.transition(
        request.id, frozenset({RequestState.RUNNING}), RequestState.DELIVERED, T0, clip_id=clip.id
    )
    delivery = Delivery(
        id=new_id(), clip_id=clip.id, token=secrets.randbits(63), key_id="k1",
        recipient_user_id=user.id, platform="console", chat_id="general", origin=Origin.COMMAND,
        fmt=fmt.value, sha256=sha, size_bytes=len(data), share_id=secrets.token_urlsafe(12),
        created_at=clock.now(),
    )
    assert hashlib.sha256(data).hexdigest() == sha
    await stores.deliveries.add(delivery)
    return clip, delivery


def web_settings(db_url: str, tmp_path: Path, **web: Any) -> RefrainSettings:
    web.setdefault("link_secret", LINK_SECRET)
    web.setdefault("page_cache_ttl_s", 0)
    return RefrainSettings(database_url=db_url, blobs_dir=tmp_path / "blobs", web=WebSettings(**web))


@asynccontextmanager
async def web_world(
    db_url: str, tmp_path: Path, *, plays: PlayLog | None = None, now: datetime = T0,
    seconds: float = 3.0, **web: Any,
) -> AsyncIterator[WebWorld]:
    settings = web_settings(db_url, tmp_path, **web)
    clock = ManualClock(now)
    async with open_app(settings, queue=InMemoryQueue(), clock=clock) as app:
        await seed(app.stores)
        clip, delivery = await add_delivered_clip(app, clock, tmp_path, seconds=seconds)
        log = plays if plays is not None else MemoryPlayLog()
        yield WebWorld(app, clock, log, clip, delivery, (await app.blobs.get_bytes(delivery.sha256)))


def web_args(app: App) -> tuple[App, WebSettings, bytes]:
    """What the web application is built from: the app's use cases, its web settings and
    the listener key secret (``refrain.components`` passes the same)."""
    return app, app.settings.web, listener_secret(app.settings)


@asynccontextmanager
async def web_client(world: WebWorld, **kwargs: Any) -> AsyncIterator[TestClient[Any, Any]]:
    application = create_web_app(*web_args(world.app), plays=world.plays, **kwargs)
    async with TestClient(TestServer(application)) as client:
        yield client
