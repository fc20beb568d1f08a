"""Royalty rules and the platform currency (owner: royalties)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RoyaltySettings(BaseModel):
    currency: str = Field(default="EUR", description="the one platform currency (ISO 4217)")
