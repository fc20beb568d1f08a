"""Provenance of delivered files: signed C2PA manifests in MP3/M4A (owner: provenance)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class ProvenanceSettings(BaseModel):
    c2pa: bool = Field(default=True, description="sign a C2PA manifest into MP3/M4A deliveries")
    c2pa_dir: Path = Field(
        default=Path("./var/c2pa"),
        description="Refrain's C2PA signing key + certificate chain (made on first start; keep private)",
    )
