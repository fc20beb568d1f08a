"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from core.ports import Stores
from storage.database import Database
from storage.migrate import upgrade
from storage.schema import metadata

T = TypeVar("T")


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
# ======================================================================================

POSTGRES_DOWN = "PostgreSQL at {where} is down — these tests did not run"
_postgres_skipped: list[str] = []


def run_in_thread(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion on a private event loop in another thread.

    Session fixtures set up while pytest-asyncio owns the test's loop; a
    private loop in a thread cannot disturb it (nor be disturbed by it).
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(_awaited(make))
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=target, name="fixture-loop")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


async def _awaited(make: Callable[[], Awaitable[T]]) -> T:
    return await make()


@dataclass(frozen=True)
class PostgresServer:
    """Where the test PostgreSQL runs, and URLs into schemas of its test database."""

    host: str
    port: int
    user: str
    password: str | None
    database: str

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def url(self, schema: str) -> str:
        """A SQLAlchemy async URL whose connections use ``schema`` (see storage.engine)."""
        auth = self.user if self.password is None else f"{self.user}:{self.password}"
        return (
            f"postgresql+asyncpg://{auth}@{self.host}:{self.port}/{self.database}"
            f"?search_path={schema}"
        )

    async def execute(self, sql: str, schema: str | None = None) -> None:
        settings = {"search_path": schema} if schema else {}
        connection = await asyncpg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            database=self.database,
            timeout=5,
            server_settings=settings,
        )
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    def create_schema(self) -> str:
        schema = f"refrain_test_{secrets.token_hex(4)}"
        run_in_thread(lambda: self.execute(f'CREATE SCHEMA "{schema}"'))
        return schema

    def drop_schema(self, schema: str) -> None:
        run_in_thread(lambda: self.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def _postgres_from_env() -> PostgresServer:
    url = make_url(
        os.environ.get("REFRAIN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
    )
    return PostgresServer(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database or "test",
    )


@pytest.fixture(scope="session")
def postgres() -> PostgresServer:
    """The test PostgreSQL server; skips loudly (fails under CI) when it is down."""
    server = _postgres_from_env()
    try:
        run_in_thread(lambda: server.execute("SELECT 1"))
    except Exception as error:
        message = f"{POSTGRES_DOWN.format(where=server.where)} ({type(error).__name__}: {error})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI needs it: start it with `bash .ci/services`")
        _postgres_skipped.append(message)
        pytest.skip(message)
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
