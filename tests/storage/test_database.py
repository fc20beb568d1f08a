"""Opening databases: SQLite settings, and failures explained without secrets."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from core.ports import Stores
from storage.database import Database
from storage.driver_errors import BUSY
from storage.engine import create_engine
from storage.errors import StorageUnavailable
from storage.migrate import upgrade
from tests.storage.factories import T0


async def test_sqlite_file_gets_its_folder_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "refrain.db"
    database = await Database.open(f"sqlite+aiosqlite:///{path}")
    try:
        assert path.parent.is_dir()
        async with database.engine.connect() as connection:
            journal = await connection.scalar(text("PRAGMA journal_mode"))
            foreign_keys = await connection.scalar(text("PRAGMA foreign_keys"))
            busy = await connection.scalar(text("PRAGMA busy_timeout"))
        assert (journal, foreign_keys, busy) == ("wal", 1, 5000)
    finally:
        await database.close()


async def test_plain_sqlite_url_gets_the_async_driver(tmp_path: Path) -> None:
    database = await Database.open(f"sqlite:///{tmp_path / 'plain.db'}")
    try:
        assert database.engine.url.drivername == "sqlite+aiosqlite"
    finally:
        await database.close()


async def test_locked_sqlite_database_is_reported_as_busy(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade(url)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        database = await Database.open(url, busy_timeout_s=0.1)
        try:
            with pytest.raises(StorageUnavailable) as caught:
                await database.stores.users.get_or_create("console", "bob", "Bob", T0)
            assert str(caught.value) == BUSY
            assert "locked by another process); try again in a moment" in str(caught.value)
        finally:
            await database.close()
    finally:
        holder.rollback()
        holder.close()


async def test_unreachable_postgres_names_host_and_port_but_not_the_password() -> None:
    url = "postgresql+asyncpg://refrain:s3cr3t-pw@127.0.0.1:9/refrain"
    with pytest.raises(StorageUnavailable) as caught:
        await Database.open(url)
    message = str(caught.value)
    assert "Can't reach the database at 127.0.0.1:9" in message
    assert "s3cr3t-pw" not in message
    assert "s3cr3t-pw" not in repr(caught.value.__cause__)


@pytest.mark.postgres
async def test_missing_postgres_database_is_named(postgres: object) -> None:
    from tests.support.databases import PostgresServer

    assert isinstance(postgres, PostgresServer)
    url = f"postgresql+asyncpg://{postgres.user}@{postgres.where}/refrain_no_such_db"
    with pytest.raises(StorageUnavailable, match="has no database named 'refrain_no_such_db'"):
        await Database.open(url)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("not a url", "not valid"),
        ("mysql+aiomysql://u:pw@host/db", "cannot use a 'mysql+aiomysql' database"),
    ],
)
async def test_unusable_urls_are_explained(url: str, words: str) -> None:
    with pytest.raises(StorageUnavailable, match=re.escape(words)) as caught:
        await Database.open(url)
    assert "pw" not in str(caught.value)


async def test_database_is_an_async_context_manager(db_url: str) -> None:
    async with await Database.open(db_url) as database:
        assert await database.stores.users.get("nobody") is None


async def test_times_come_back_as_aware_utc(stores: Stores) -> None:
    paris = timezone(timedelta(hours=1))
    at = datetime(2026, 11, 28, 13, 30, 15, 123456, tzinfo=paris)
    user = await stores.users.get_or_create("console", "zoe", "Zoe", at)
    stored = await stores.users.get(user.id)
    assert stored is not None and stored.created_at is not None
    assert stored.created_at == at
    assert stored.created_at.tzinfo == UTC
    with pytest.raises(StatementError, match="naive datetime"):
        await stores.users.get_or_create("console", "yan", "Yan", datetime(2026, 1, 1))


async def test_repr_masks_the_password() -> None:
    database = Database(create_engine("postgresql+asyncpg://u:hunter2@db.example:5432/refrain"))
    try:
        assert "hunter2" not in repr(database)
        assert "db.example" in repr(database)
    finally:
        await database.close()
