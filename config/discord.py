"""The Discord adapter (owner: discord). The token itself is ``RefrainSettings.discord_token``."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DiscordSettings(BaseModel):
    dev_guild_id: int | None = Field(
        default=None, description="sync slash commands to this guild only (instant; for testing)"
    )
    sync_commands: bool = Field(
        default=True, description="register the slash commands with Discord on every start"
    )
    shard_count: int | None = Field(
        default=None, description="run AutoShardedClient with this many shards (None: one client)"
    )
    moderator_roles: list[str] = Field(
        default_factory=list,
        description="role ids or names whose members may use /refrain settings "
        "(besides anyone with Manage Server)",
    )
    message_content: bool = Field(
        default=False,
        description="request the privileged message-content intent and answer "
        "'@Refrain cover …' messages (enable it in the developer portal too)",
    )
    commands_per_minute: int = Field(
        default=20, gt=0, description="per user; more is answered with 'slow down', nothing runs"
    )
    progress_interval_s: float = Field(
        default=2.0, ge=0, description="a progress message is edited at most this often"
    )
    token_lifetime_s: float = Field(
        default=14 * 60,
        gt=0,
        description="interaction tokens last 15 min; after this the result goes to the channel/DM",
    )
    max_trace_bytes: int = Field(
        default=100 * 1024 * 1024, gt=0, description="/trace refuses bigger attachments unread"
    )
