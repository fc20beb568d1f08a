"""The Telegram adapter (owner: telegram). The token itself is ``RefrainSettings.telegram_token``."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class TelegramSettings(BaseModel):
    webhook_url: str | None = Field(
        default=None, description="receive updates by webhook at this public URL (default: polling)"
    )
    webhook_secret: SecretStr | None = Field(
        default=None, description="secret token Telegram sends in X-Telegram-Bot-Api-Secret-Token"
    )
    webhook_path: str = Field(
        default="/telegram/webhook", description="path of the webhook route inside the web server"
    )
    api_base_url: str = Field(
        default="https://api.telegram.org/bot", description="Bot API base (tests: a local fake)"
    )
    api_file_url: str = Field(
        default="https://api.telegram.org/file/bot", description="Bot API file download base"
    )
    stars_subscriptions: bool = Field(
        default=True,
        description="sell 30-day plans as Telegram Star subscriptions (a link that renews every "
        "30 days) instead of one-off invoices",
    )
    poll_timeout_s: int = Field(default=30, ge=0, le=50, description="long-polling timeout")
    moderators: list[int] = Field(
        default_factory=list,
        description="Telegram user ids of Refrain moderators/rights holders: `/trace` shows them "
        "the full delivery record (everyone else learns only whether a clip is genuine)",
    )
    edit_interval_s: float = Field(
        default=2.0, ge=0, description="at most one progress edit per message this often"
    )
    group_messages_per_minute: int = Field(
        default=20, gt=0, description="Telegram's flood limit per group (sends and edits)"
    )
    private_messages_per_second: float = Field(
        default=1.0, gt=0, description="Telegram's flood limit per private chat"
    )
    max_retry_after_s: float = Field(
        default=120.0, gt=0, description="a 429 asking to wait longer than this gives up the call"
    )
    network_retries: int = Field(default=4, ge=0, description="retries of a call after network errors")
    button_ttl_s: int = Field(
        default=48 * 3600,
        gt=0,
        description="inline buttons work this long (their commands are stored in the database)",
    )
    max_buttons: int = Field(
        default=50_000,
        gt=0,
        description="button states cached in memory (the newest; older ones are read from the database)",
    )
    max_upload_bytes: int = Field(
        default=50_000_000, gt=0, description="bots may upload up to 50 MB; bigger clips get a link"
    )
    max_download_bytes: int = Field(
        default=20_000_000, gt=0, description="bots may download up to 20 MB (files sent to /trace)"
    )
    inline_page_size: int = Field(default=20, ge=1, le=50, description="inline results per page")
    inline_cache_s: int = Field(
        default=10, ge=0, description="inline answers are personal: cache them only briefly"
    )
    admin_cache_s: float = Field(
        default=60.0, ge=0, description="how long a getChatMember answer (admin or not) is trusted"
    )
