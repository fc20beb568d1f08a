"""Voice conversion (owner: voice)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class VoiceSettings(BaseModel):
    backend: Literal["world", "torchscript"] = Field(
        default="world", description="world (CPU vocoder) or torchscript (neural model file)"
    )
