"""Refrain's settings: one model, read from env vars, an optional TOML file, then defaults.

Precedence (highest first): explicit keyword arguments, ``REFRAIN_*`` environment
variables, the TOML file named by ``--config`` / ``REFRAIN_CONFIG``, defaults.
The defaults need no file at all and give the embedded single-machine setup
(SQLite + in-process queue). Secrets are ``SecretStr`` so they never print.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from config.discord import DiscordSettings
from config.provenance import ProvenanceSettings
from config.revenue import RevenueSettings
from config.royalties import RoyaltySettings
from config.studio import StudioSettings
from config.telegram import TelegramSettings
from config.voice import VoiceSettings
from config.watermark import WatermarkSettings
from config.web import WebSettings
from core.errors import UserFacing

CONFIG_ENV_VAR = "REFRAIN_CONFIG"


class TierSettings(BaseModel):
    """Render-seconds per period and the longest clip for one user tier."""

    seconds_per_period: int = Field(ge=0)
    max_clip_seconds: int = Field(gt=0)
    priority: int = 0
    period: Literal["day", "week", "month"] = "day"


def _default_tiers() -> dict[str, TierSettings]:
    return {
        "free": TierSettings(seconds_per_period=60, max_clip_seconds=30, priority=0),
        "fan": TierSettings(seconds_per_period=600, max_clip_seconds=60, priority=1),
        "pro": TierSettings(seconds_per_period=3600, max_clip_seconds=120, priority=2),
    }


class RefrainSettings(BaseSettings):
    """Every knob of a Refrain deployment."""

    model_config = SettingsConfigDict(
        env_prefix="REFRAIN_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    _toml_path: ClassVar[Path | None] = None

    database_url: str = Field(
        default="sqlite+aiosqlite:///./var/refrain.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///… or postgresql+asyncpg://…",
    )
    queue: Literal["embedded", "arq"] = Field(
        default="embedded", description="embedded (in-process) or arq (Redis, many workers)"
    )
    redis_url: SecretStr = Field(
        default=SecretStr("redis://127.0.0.1:6379/0"), description="Redis for the arq queue"
    )
    blobs_dir: Path = Field(default=Path("./var/blobs"), description="content-addressed files")
    models_dir: Path = Field(default=Path("./var/models"), description="demucs/voice weights")
    demo_dir: Path = Field(default=Path("./var/demo"), description="where the demo writes clips")
    separation_model: str = Field(
        default="htdemucs", description="demucs model in models_dir (demucs_unittest: tiny, tests)"
    )
    warm_interval_s: float = Field(
        default=5.0,
        gt=0,
        description="how often a rendering process looks for recordings waiting for stems",
    )
    separation_device: str | None = Field(
        default=None, description="cuda, cpu… (default: CUDA when available)"
    )
    workers: int = Field(
        default=1,
        ge=0,
        description="processes for CPU-heavy audio (0: threads of the serving process)",
    )
    clip_retention_days: int = Field(
        default=30, gt=0, description="delivered clip files are kept this long"
    )
    cache_max_bytes: int = Field(
        default=5 * 1024**3, ge=0, description="size cap of stem/analysis caches (LRU)"
    )
    job_timeout_s: int = Field(
        default=600,
        gt=0,
        description="a render (with its hand-over) running longer is stopped, failed and refunded",
    )
    queue_name: str = Field(
        default="arq:queue",
        min_length=1,
        description="arq: the Redis key of the queue (deployments sharing a Redis use their own)",
    )
    lease_s: float = Field(
        default=30.0,
        ge=1.0,
        description="a running job renews its lease this often ×3; a dead worker's job moves on "
        "within about this long",
    )
    max_claims: int = Field(
        default=3, ge=1, description="a request whose worker died this many times fails (refunded)"
    )
    request_deadline_s: int = Field(
        default=1800,
        gt=0,
        description="a request not made this long after it was asked fails (refunded)",
    )
    sweep_interval_s: float = Field(
        default=15.0,
        gt=0,
        description="how often the recovery sweep re-queues what the queue lost",
    )
    shutdown_grace_s: float = Field(
        default=10.0,
        ge=0,
        description="`refrain worker` on SIGTERM: running jobs get this long, then go back",
    )
    metrics_dir: Path | None = Field(
        default=None,
        description="shared folder for prometheus_client's multiprocess metrics (serve and "
        "workers on one host); none: each process reports its own",
    )
    terms_version: str = Field(default="2026-11", description="current terms of use version")
    default_clip_seconds: int = Field(default=20, gt=0, description="when `length:` is omitted")
    max_command_chars: int = Field(default=500, gt=0)
    tiers: dict[str, TierSettings] = Field(default_factory=_default_tiers)
    discord_token: SecretStr | None = Field(default=None, description="Discord bot token")
    telegram_token: SecretStr | None = Field(default=None, description="Telegram bot token")
    listener_key_secret: SecretStr = Field(
        default=SecretStr("change-me-in-production"),
        description="HMAC key turning platform user ids into listener keys",
    )
    log_level: str = "INFO"
    watermark: WatermarkSettings = Field(default_factory=WatermarkSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    studio: StudioSettings = Field(default_factory=StudioSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    royalties: RoyaltySettings = Field(default_factory=RoyaltySettings)
    revenue: RevenueSettings = Field(default_factory=RevenueSettings)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)
    provenance: ProvenanceSettings = Field(default_factory=ProvenanceSettings)

    @field_validator("tiers")
    @classmethod
    def _free_tier_exists(cls, tiers: dict[str, TierSettings]) -> dict[str, TierSettings]:
        if "free" not in tiers:
            raise ValueError("the tiers table needs a 'free' tier (new users start on it)")
        return tiers

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls._toml_path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls._toml_path))
        return tuple(sources)

    def masked(self) -> dict[str, Any]:
        """Effective settings as plain data with every secret masked."""
        data = self.model_dump(mode="json")
        for name, field in type(self).model_fields.items():
            if field.annotation in (SecretStr, SecretStr | None) and data.get(name):
                data[name] = "********"
        data["database_url"] = mask_url(self.database_url)
        return data


class ConfigFileError(UserFacing):
    """The TOML configuration file is missing or unreadable."""


def mask_url(url: str) -> str:
    """Hide the password of a URL such as ``postgresql://user:pw@host/db``."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:****@{host}" if ":" in creds else url


def load_settings(config_file: Path | None = None, **overrides: Any) -> RefrainSettings:
    """Build settings from overrides, env, the TOML file (if any) and defaults."""
    env_path = os.environ.get(CONFIG_ENV_VAR)
    path = config_file or (Path(env_path) if env_path else None)
    if path is not None and not path.is_file():
        raise ConfigFileError(f"Config file {path} does not exist")

    class _Loaded(RefrainSettings):
        _toml_path: ClassVar[Path | None] = path

    try:
        return _Loaded(**overrides)
    except ValueError as exc:  # tomllib.TOMLDecodeError and pydantic errors
        raise ConfigFileError(f"Invalid configuration: {exc}") from exc
