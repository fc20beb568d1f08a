"""The studio's per-application state: the use cases, cookie names, CSRF key, login limits."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from aiohttp import web

from config.studio import StudioSettings
from core.studio import Studio
from web.ratelimit import RateLimiter

SESSION_COOKIE = "refrain_studio"
ANON_COOKIE = "refrain_studio_pre"  # a visitor's random id before login: what login forms' CSRF binds to
COOKIE_PATH = "/studio"


@dataclass
class StudioWeb:
    studio: Studio
    settings: StudioSettings
    public_url: str
    csrf_key: bytes
    ip_limits: RateLimiter
    account_limits: RateLimiter

    @property
    def secure_cookies(self) -> bool:
        """``Secure`` cookies when the public URL is behind TLS."""
        return self.public_url.startswith("https://")

    def csrf_token(self, cookie: str) -> str:
        """The token every form of this browser carries: an HMAC of its session (or visitor) id."""
        return hmac.new(self.csrf_key, f"csrf|{cookie}".encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, cookie: str | None, token: str | None) -> bool:
        if not cookie or not token:
            return False
        return hmac.compare_digest(self.csrf_token(cookie), token)


def studio_web(studio: Studio, settings: StudioSettings, public_url: str, secret: bytes,
               max_entries: int) -> StudioWeb:
    return StudioWeb(
        studio=studio,
        settings=settings,
        public_url=public_url,
        csrf_key=hashlib.sha256(b"studio-csrf|" + secret).digest(),
        ip_limits=RateLimiter(settings.login_rate_per_ip, settings.login_burst_per_ip,
                              max_entries=max_entries),
        account_limits=RateLimiter(settings.login_rate_per_account, settings.login_burst_per_account,
                                   max_entries=max_entries),
    )


STUDIO: web.AppKey[StudioWeb] = web.AppKey("refrain_studio", StudioWeb)
