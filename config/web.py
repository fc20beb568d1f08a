"""The web server: share pages, signed clip links, play beacons (owner: web)."""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator


class WebSettings(BaseModel):
    """Where ``refrain serve`` listens, how it signs the links it hands out, how it counts plays."""

    enabled: bool = Field(default=True, description="serve share pages and clips in `refrain serve`")
    host: str = Field(default="127.0.0.1", description="listen address (put a reverse proxy in front)")
    port: int = Field(default=8080, ge=0, le=65535)
    public_url: str = Field(
        default="",
        description="base URL fans see in share links (default: http://<host>:<port> above)",
    )
    link_secret: SecretStr = Field(
        default=SecretStr("change-me-link-secret"), description="HMAC key of signed clip URLs"
    )
    link_ttl_s: int = Field(default=7 * 24 * 3600, gt=0, description="how long a clip link works")
    get_your_own_url: str | None = Field(
        default=None,
        description="where the share page's 'make your own' link goes (bot invite, t.me link); "
        "default: this site's front page",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses/CIDRs of reverse proxies whose X-Forwarded-For is believed "
        "(empty: none, the peer address is the client)",
    )
    country_header: str | None = Field(
        default=None,
        description="header a trusted proxy sets to the client's ISO country (e.g. X-Country-Code); "
        "play events use it as territory",
    )
    cookie_name: str = Field(default="refrain_lid", description="first-party listener cookie")
    json_logs: bool = Field(default=True, description="web logs (access log included) as JSON lines")
    max_field_size: int = Field(
        default=8190, ge=1024, le=65536, description="longest request line / header accepted (bytes)"
    )
    page_cache_ttl_s: float = Field(
        default=5.0,
        ge=0,
        description="share/clip lookups are cached this long; a takedown takes effect within it",
    )
    beacon_progress_s: float = Field(
        default=10.0, gt=0, description="the player reports progress this often while playing"
    )
    beacon_slack_ms: int = Field(
        default=2000, ge=0, description="network/clock tolerance when checking claimed listening time"
    )
    beacon_max_page_age_s: int = Field(
        default=6 * 3600, gt=0, description="beacons from a page loaded longer ago are refused"
    )
    beacon_max_rounds: int = Field(
        default=20, gt=0, description="plays one page load may report (replays after the end)"
    )
    beacon_min_record_ms: int = Field(
        default=1000, ge=0, description="shorter listens are not stored at all (not even as unqualified)"
    )
    beacon_max_clock_skew_s: int = Field(
        default=300, ge=0, description="client start times further off than this use the server's time"
    )
    beacon_rate_per_ip: float = Field(default=240.0, gt=0, description="beacons per minute per client IP")
    beacon_burst_per_ip: int = Field(default=60, gt=0)
    beacon_rate_per_listener: float = Field(default=30.0, gt=0, description="beacons per minute per listener")
    beacon_burst_per_listener: int = Field(default=12, gt=0)
    rate_limit_entries: int = Field(
        default=100_000, gt=0, description="rate-limit buckets kept in memory (oldest dropped first)"
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError as exc:
                raise ValueError(f"trusted_proxies: {value!r} is not an IP address or CIDR") from exc
        return values

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        if not value:
            return value  # not set: follows host and port (_public_url_default)
        if not value.startswith(("http://", "https://")):
            raise ValueError("public_url must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _public_url_default(self) -> WebSettings:
        """Without a public_url, links point at this server itself, on the port it listens on
        (a fixed default would send fans to 8080 after the port was changed)."""
        if not self.public_url:
            self.public_url = f"http://{_url_host(self.host)}:{self.port}"
        return self


def _url_host(host: str) -> str:
    """The listen address as a URL host: a wildcard means this machine, IPv6 gets brackets."""
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host  # a name
    return f"[{address}]" if address.version == 6 else str(address)
