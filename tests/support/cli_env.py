"""The environment a CLI test runs `refrain` in: its own SQLite file and blob folder, no config file."""

from __future__ import annotations

from pathlib import Path

import pytest


def isolated_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_name: str = "cli.db") -> str:
    """Point `refrain` at a database and blobs under ``tmp_path`` (no REFRAIN_CONFIG); the database URL."""
    url = f"sqlite+aiosqlite:///{tmp_path / db_name}"
    monkeypatch.setenv("REFRAIN_DATABASE_URL", url)
    monkeypatch.setenv("REFRAIN_BLOBS_DIR", str(tmp_path / "blobs"))
    monkeypatch.delenv("REFRAIN_CONFIG", raising=False)
    return url
