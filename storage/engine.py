"""Engines configured for how Refrain uses each backend.

SQLite (one machine): WAL so readers never wait for the writer, foreign keys
on, a busy timeout so a second process waits instead of failing, and write
transactions that start with ``BEGIN IMMEDIATE``. The last one matters most:
a deferred transaction that reads and then writes cannot wait for another
writer (SQLite answers "database is locked" at once to avoid a deadlock), so
every write takes the write lock up front and writers simply queue.

PostgreSQL (many machines): asyncpg, pre-ping so a restarted server does not
surface as an error, and an optional ``?search_path=`` URL parameter (not a
libpq option, so it is moved into asyncpg's ``server_settings``) that lets
deployments and tests keep Refrain's tables in their own schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.append_only import install_append_only_guard
from storage.errors import StorageUnavailable

SQLITE_BEGIN = "refrain_sqlite_begin"
"""Execution option naming the ``BEGIN`` flavour SQLite connections start with."""

DEFAULT_BUSY_TIMEOUT_S = 5.0

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def parse_url(url: str | URL) -> URL:
    """The async URL for ``url``; plain ``sqlite:``/``postgresql:`` get the async driver."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageUnavailable(
            "The database URL is not valid; expected sqlite+aiosqlite:///path/to/file.db "
            "or postgresql+asyncpg://user@host:5432/dbname"
        ) from None
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise StorageUnavailable(
            f"Refrain cannot use a {parsed.drivername!r} database; use "
            "sqlite+aiosqlite:///… or postgresql+asyncpg://…"
        )
    return parsed.set(drivername=driver)


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The database file, or ``None`` for an in-memory database."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database).expanduser()


def describe(url: URL) -> str:
    """Where the database is, for messages: a file path or ``host:port``; never credentials."""
    if is_sqlite(url):
        path = sqlite_path(url)
        return str(path) if path is not None else "an in-memory SQLite database"
    return f"{url.host or 'localhost'}:{url.port or 5432}"


def masked(url: URL) -> str:
    """The URL with its password replaced, safe for logs."""
    return url.render_as_string(hide_password=True)


def create_engine(url: str | URL, *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> AsyncEngine:
    """An async engine for ``url`` with Refrain's per-backend settings and guards."""
    parsed = parse_url(url)
    if is_sqlite(parsed):
        engine = _sqlite_engine(parsed, busy_timeout_s)
    else:
        engine = _postgres_engine(parsed)
    install_append_only_guard(engine.sync_engine)
    return engine


def _sqlite_engine(url: URL, busy_timeout_s: float) -> AsyncEngine:
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": busy_timeout_s})
    busy_ms = max(0, int(busy_timeout_s * 1000))
    in_memory = path is None

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (see _on_begin); the driver must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        flavour = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {flavour}")

    return engine


def _postgres_engine(url: URL) -> AsyncEngine:
    query = dict(url.query)
    search_path = query.pop("search_path", None)
    connect_args: dict[str, Any] = {}
    server_settings = {"application_name": "refrain"}
    if isinstance(search_path, str) and search_path:
        server_settings["search_path"] = search_path
    connect_args["server_settings"] = server_settings
    return create_async_engine(url.set(query=query), connect_args=connect_args, pool_pre_ping=True)
