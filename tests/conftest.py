"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from core.ports import Stores
from storage.database import Database
from storage.migrate import upgrade
from storage.schema import metadata
from tests.support.databases import (
    POSTGRES_DOWN,
    PostgresServer,
    postgres_down,
    postgres_from_env,
    run_in_thread,
)

# ======================================================================================
# Storage: databases on SQLite and PostgreSQL                     (owner: storage/)
#
#   db_backend    "sqlite" or "postgres"; parametrizes every test that uses the
#                 fixtures below, so such a test runs on both backends
#   db_url        URL of a migrated database with empty tables: SQLite = a fresh
#                 temp file (copied from a template migrated once per session);
#                 PostgreSQL = the session's schema `refrain_test_<random>` in
#                 database `test`, tables truncated before each test
#   empty_db_url  URL of a database with no tables at all (migration tests):
#                 SQLite = a path in a folder that does not exist yet;
#                 PostgreSQL = a new schema for this test, dropped after it
#   database      an open storage.Database on db_url (closed after the test)
#   stores        database.stores (core.ports.Stores)
#   postgres      the PostgreSQL server (skips, or fails when $CI is set, if down)
#
# PostgreSQL defaults to postgres@127.0.0.1:5432/test; override with
# REFRAIN_TEST_POSTGRES=postgresql://user:password@host:port/database.
# Helpers for databases of your own (fresh_postgres_url, fresh_sqlite_url):
# tests/support/databases.py.
# ======================================================================================

_postgres_skipped: list[str] = []


@pytest.fixture(scope="session")
def postgres() -> PostgresServer:
    """The test PostgreSQL server; skips loudly (fails under CI) when it is down."""
    server = postgres_from_env()
    try:
        run_in_thread(lambda: server.execute("SELECT 1"))
    except Exception as error:
        _postgres_skipped.append(f"{POSTGRES_DOWN.format(where=server.where)} ({error})")
        postgres_down(server, error)
    return server


@pytest.fixture(scope="session")
def _postgres_session_url(postgres: PostgresServer) -> Iterator[str]:
    schema = postgres.create_schema()
    try:
        url = postgres.url(schema)
        run_in_thread(lambda: upgrade(url))
        yield url
    finally:
        postgres.drop_schema(schema)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "refrain.db"
    run_in_thread(lambda: upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if db_backend == "sqlite":
        template: Path = request.getfixturevalue("_sqlite_template")
        target = tmp_path / "refrain.db"
        shutil.copyfile(template, target)
        wal = template.with_name(template.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, target.with_name(target.name + "-wal"))
        return f"sqlite+aiosqlite:///{target}"
    url: str = request.getfixturevalue("_postgres_session_url")
    server: PostgresServer = request.getfixturevalue("postgres")
    _truncate_all(server, url)
    return url


def _truncate_all(server: PostgresServer, url: str) -> None:
    schema = str(make_url(url).query["search_path"])
    run_in_thread(lambda: _empty_tables(server, schema))


async def _empty_tables(server: PostgresServer, schema: str) -> None:
    """Delete every row, append-only ledgers included; ~1 ms where TRUNCATE takes ~300 ms.

    ``session_replication_role = replica`` switches the row triggers (the
    append-only guards and foreign keys) off for this transaction only. It
    needs a superuser; otherwise TRUNCATE, which fires no row triggers either.
    """
    deletes = "; ".join(f'DELETE FROM "{t.name}"' for t in metadata.sorted_tables)
    try:
        await server.execute(
            f"BEGIN; SET LOCAL session_replication_role = replica; {deletes}; COMMIT", schema
        )
    except asyncpg.InsufficientPrivilegeError:
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        await server.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE", schema)


@pytest.fixture
def empty_db_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if db_backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'not-yet' / 'refrain.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    schema = server.create_schema()
    try:
        yield server.url(schema)
    finally:
        server.drop_schema(schema)


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    opened = await Database.open(db_url)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def stores(database: Database) -> Stores:
    return database.stores


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _postgres_skipped:
        terminalreporter.write_sep("!", "PostgreSQL tests skipped", red=True, bold=True)
        terminalreporter.write_line(_postgres_skipped[0], red=True)


# ======================================================================================
# end of storage fixtures
# ======================================================================================
