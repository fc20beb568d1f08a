"""The throw-away database helpers other test folders reuse (tests/support/databases.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from storage.database import Database
from storage.errors import SchemaOutOfDate
from tests.support.databases import PostgresServer, fresh_postgres_url, fresh_sqlite_url

NOW = datetime(2026, 1, 1, tzinfo=UTC)


async def _schema_exists(server: PostgresServer, url: str) -> bool:
    schema = str(make_url(url).query["search_path"])
    connection = await asyncpg.connect(
        host=server.host, port=server.port, user=server.user, password=server.password,
        database=server.database,
    )  # fmt: skip
    try:
        found = await connection.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema)
    finally:
        await connection.close()
    return found is not None


@pytest.mark.postgres
async def test_fresh_postgres_url_is_migrated_private_and_dropped(postgres: PostgresServer) -> None:
    async with fresh_postgres_url(postgres) as url, fresh_postgres_url(postgres) as other:
        assert url != other
        async with await Database.open(url) as database:
            await database.check_schema()
            user = await database.stores.users.get_or_create("console", "ada", "Ada", NOW)
        async with await Database.open(other) as database:
            assert await database.stores.users.get(user.id) is None
    assert not await _schema_exists(postgres, url)


async def test_fresh_sqlite_url_is_migrated_and_removed(tmp_path: Path) -> None:
    async with fresh_sqlite_url(tmp_path) as url:
        async with await Database.open(url) as database:
            await database.check_schema()
        assert list(tmp_path.glob("*.db"))
    assert not list(tmp_path.glob("*.db*"))


async def test_unmigrated_sqlite_helper_gives_an_empty_database(tmp_path: Path) -> None:
    async with fresh_sqlite_url(tmp_path, migrated=False) as url, await Database.open(url) as database:
        with pytest.raises(SchemaOutOfDate, match="no Refrain tables"):
            await database.check_schema()
