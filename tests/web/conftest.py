"""Web tests run on SQLite by default; the few that matter on both backends ask for PostgreSQL too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.web.support import WebWorld, web_world

BOTH_BACKENDS = pytest.mark.parametrize(
    "db_backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture(params=["sqlite"])
def db_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def world(db_url: str, tmp_path: Path) -> AsyncIterator[WebWorld]:
    async with web_world(db_url, tmp_path) as built:
        yield built
