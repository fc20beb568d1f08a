"""Throw-away databases for tests, on SQLite and on the test PostgreSQL server.

The fixtures in ``tests/conftest.py`` (``db_url``, ``empty_db_url``,
``database``, ``stores``) cover most tests. These helpers are for the rest:
a test that needs a second, independent database, or a folder outside the
storage tests that wants its own::

    async with fresh_postgres_url() as url:      # a new schema, migrated; dropped after
        async with await Database.open(url) as db:
            ...
    async with fresh_sqlite_url(tmp_path) as url:
        ...

PostgreSQL defaults to postgres@127.0.0.1:5432/test; override it with
``REFRAIN_TEST_POSTGRES=postgresql://user:password@host:port/database``.
When it is down, the helpers skip the test loudly, or fail it when ``$CI``
is set, so a green CI run always means both backends ran.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from storage.migrate import upgrade

T = TypeVar("T")

POSTGRES_DOWN = "PostgreSQL at {where} is down — these tests did not run"


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
        return f"postgresql+asyncpg://{auth}@{self.host}:{self.port}/{self.database}?search_path={schema}"

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

    async def new_schema(self) -> str:
        """Create an empty schema with a random name (a test's private namespace)."""
        schema = f"refrain_test_{secrets.token_hex(4)}"
        await self.execute(f'CREATE SCHEMA "{schema}"')
        return schema

    async def remove_schema(self, schema: str) -> None:
        await self.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    # Synchronous twins for session fixtures, which run outside the test's loop.
    def create_schema(self) -> str:
        return run_in_thread(self.new_schema)

    def drop_schema(self, schema: str) -> None:
        run_in_thread(lambda: self.remove_schema(schema))


def postgres_from_env() -> PostgresServer:
    """The server named by ``$REFRAIN_TEST_POSTGRES``, else postgres@127.0.0.1:5432/test."""
    url = make_url(os.environ.get("REFRAIN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"))
    return PostgresServer(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database or "test",
    )


def postgres_down(server: PostgresServer, error: BaseException) -> NoReturn:
    """Skip the test (fail it under ``$CI``) because ``server`` did not answer."""
    message = f"{POSTGRES_DOWN.format(where=server.where)} ({type(error).__name__}: {error})"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI needs it: start it with `bash .ci/services`")
    pytest.skip(message)


async def reachable_postgres() -> PostgresServer:
    """The test server if it answers; otherwise the test is skipped (failed under CI)."""
    server = postgres_from_env()
    try:
        await server.execute("SELECT 1")
    except Exception as error:
        postgres_down(server, error)
    return server


@asynccontextmanager
async def fresh_postgres_url(
    server: PostgresServer | None = None, *, migrated: bool = True
) -> AsyncIterator[str]:
    """The URL of a new schema in the test database, dropped when the block ends.

    ``migrated=False`` leaves it empty (for migration and schema-check tests).
    """
    server = server or await reachable_postgres()
    schema = await server.new_schema()
    try:
        url = server.url(schema)
        if migrated:
            await upgrade(url)
        yield url
    finally:
        await server.remove_schema(schema)


@asynccontextmanager
async def fresh_sqlite_url(folder: Path, *, migrated: bool = True) -> AsyncIterator[str]:
    """The URL of a new SQLite file in ``folder`` (e.g. ``tmp_path``); removed after."""
    path = folder / f"refrain-{secrets.token_hex(4)}.db"
    url = f"sqlite+aiosqlite:///{path}"
    try:
        if migrated:
            await upgrade(url)
        yield url
    finally:
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
