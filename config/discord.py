"""The Discord adapter (owner: discord). The token itself is ``RefrainSettings.discord_token``."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DiscordSettings(BaseModel):
    dev_guild_id: int | None = Field(
        default=None, description="sync slash commands to this guild only (instant; for testing)"
    )
    shard_count: int | None = Field(
        default=None, description="run AutoShardedClient with this many shards (None: one client)"
    )
