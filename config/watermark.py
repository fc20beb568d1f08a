"""Forensic watermark keys (owner: watermark)."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, model_validator


class WatermarkSettings(BaseModel):
    """Keys that mark every delivery; detection tries each listed key (rotation).

    Set ``keys`` to ``{"<id>": "<long random secret>"}`` in production and
    keep old keys listed so that old clips still trace; new deliveries use
    ``active_key``.
    """

    keys: dict[str, SecretStr] = Field(
        default_factory=lambda: {"dev": SecretStr("refrain-development-watermark-key")},
        description="key id -> secret; keep retired keys so old clips still trace",
    )
    active_key: str = Field(default="dev", description="the key id new deliveries are marked with")

    @model_validator(mode="after")
    def _active_key_is_listed(self) -> WatermarkSettings:
        if self.active_key not in self.keys:
            raise ValueError(f"watermark.active_key '{self.active_key}' is not in watermark.keys")
        return self
