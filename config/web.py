"""The web server: share pages, signed clip links, play beacons (owner: web)."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class WebSettings(BaseModel):
    """Where ``refrain serve`` listens and how it signs the links it hands out."""

    enabled: bool = Field(default=True, description="serve share pages and clips in `refrain serve`")
    host: str = Field(default="127.0.0.1", description="listen address (put a reverse proxy in front)")
    port: int = Field(default=8080, ge=0, le=65535)
    public_url: str = Field(
        default="http://127.0.0.1:8080", description="base URL fans see in share links"
    )
    link_secret: SecretStr = Field(
        default=SecretStr("change-me-link-secret"), description="HMAC key of signed clip URLs"
    )
    link_ttl_s: int = Field(default=7 * 24 * 3600, gt=0, description="how long a clip link works")
