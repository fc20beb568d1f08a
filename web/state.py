"""What every handler needs, built once per web application and kept under one typed key."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from aiohttp import web

from config.web import WebSettings
from core.deliveries import SharedClip
from core.links import LinkSigner
from core.ports import Clock, PlayLog
from core.service import Refrain
from web.clientip import ClientAddress
from web.metrics import WebMetrics
from web.playrules import BeaconRules
from web.ratelimit import RateLimiter
from web.resolve import SharedClips


@dataclass
class WebState:
    port: Refrain
    settings: WebSettings
    signer: LinkSigner
    shared: SharedClips
    plays: PlayLog | None
    metrics: WebMetrics
    clients: ClientAddress
    ip_limits: RateLimiter
    listener_limits: RateLimiter
    rules: BeaconRules
    listener_secret: bytes
    clock: Clock
    # share id → (lookup it was rendered from, link expiry, UTF-8 page before / after the token)
    pages: OrderedDict[str, tuple[SharedClip, int, bytes, bytes]] = field(default_factory=OrderedDict)

    @property
    def get_your_own(self) -> str:
        return self.settings.get_your_own_url or f"{self.settings.public_url}/"

    @property
    def secure_cookies(self) -> bool:
        return self.settings.public_url.startswith("https://")


STATE: web.AppKey[WebState] = web.AppKey("refrain_web", WebState)
