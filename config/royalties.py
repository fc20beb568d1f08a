"""Royalty rules and the platform currency (owner: royalties)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator


class RoyaltySettings(BaseModel):
    currency: str = Field(default="EUR", description="the one platform currency (ISO 4217)")
    rules_version: str = Field(
        default="2026-11.1", description="royalty rule set (core.royalties.rules.RULE_SETS)"
    )
    pools: dict[str, str] = Field(
        default_factory=dict,
        description='royalty pool per period, e.g. {"2026-11" = "12500.00"} (platform currency)',
    )
    default_pool: str | None = Field(
        default=None, description="pool for periods not listed in `pools` (none: --pool needed)"
    )
    dsr_sender: str = Field(default="REFRAIN", description="sender id in DSR exports")

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        if len(value) != 3 or not value.isalpha():
            raise ValueError("currency must be a three-letter ISO 4217 code, e.g. EUR")
        return value.upper()

    def pool_for(self, period: str) -> str | None:
        """The configured pool of ``period`` (text, parsed exactly by the caller)."""
        return self.pools.get(period, self.default_pool)
