"""Turning database driver exceptions into ``storage.errors`` with useful words.

Only conditions an operator or user can act on are translated (busy, down,
refused, schema missing, constraint broken); anything else is a bug and keeps
its original exception and traceback.
"""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL

from storage.engine import describe, is_sqlite
from storage.errors import SchemaOutOfDate, StorageConflict, StorageError, StorageUnavailable

BUSY = "The database is busy (locked by another process); try again in a moment"
_UPGRADE = "run `refrain db upgrade`"
_ASYNCPG_PREFIX = re.compile(r"^<class '[\w.]+'>: ")


def _driver_text(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error)
    return _ASYNCPG_PREFIX.sub("", text).strip().splitlines()[0] if text else type(error).__name__


def translate(error: BaseException, url: URL) -> StorageError | None:
    """The ``StorageError`` to raise instead of ``error``, or ``None`` to let it through."""
    where = describe(url)
    if isinstance(error, StorageError):
        return None
    if isinstance(error, sa_exc.IntegrityError):
        return StorageConflict(f"The change conflicts with stored data: {_driver_text(error)}")
    if isinstance(error, sa_exc.TimeoutError):
        return StorageUnavailable(
            f"Every connection to the database at {where} is in use; try again in a moment"
        )
    if isinstance(error, sa_exc.DBAPIError):
        return _translate_dbapi(error, url, where)
    if isinstance(error, asyncpg.PostgresError):  # raised raw while connecting
        return _translate_login(error, url, where)
    if isinstance(error, OSError):
        return StorageUnavailable(f"Can't reach the database at {where} ({_network_reason(error)})")
    return None


def _network_reason(error: OSError) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused: is the server running?"
    if isinstance(error, socket.gaierror):
        return "unknown host name"
    if isinstance(error, TimeoutError):
        return "timed out"
    return (error.strerror or type(error).__name__).lower()


def _translate_dbapi(error: sa_exc.DBAPIError, url: URL, where: str) -> StorageError | None:
    text = _driver_text(error)
    lowered = text.lower()
    if is_sqlite(url):
        if "database is locked" in lowered or "database is busy" in lowered:
            return StorageUnavailable(BUSY)
        if "unable to open database file" in lowered:
            return StorageUnavailable(
                f"Can't open the SQLite database at {where}: is its folder writable?"
            )
        if "no such table" in lowered:
            return SchemaOutOfDate(f"The database at {where} lacks a table ({text}): {_UPGRADE}")
    elif "undefinedtable" in str(error.orig).lower().replace("_", ""):
        return SchemaOutOfDate(f"The database at {where} lacks a table ({text}): {_UPGRADE}")
    if error.connection_invalidated:
        return StorageUnavailable(
            f"Lost the connection to the database at {where}; try again in a moment"
        )
    return None


def _translate_login(error: asyncpg.PostgresError, url: URL, where: str) -> StorageError:
    if isinstance(error, asyncpg.InvalidCatalogNameError):
        return StorageUnavailable(f"The server at {where} has no database named {url.database!r}")
    if isinstance(
        error, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
    ):
        return StorageUnavailable(
            f"The database at {where} refused the login of user {url.username!r}: "
            "check the user and password in the database URL"
        )
    return StorageUnavailable(
        f"The database at {where} refused the connection: {_driver_text(error)}"
    )


@asynccontextmanager
async def translated_errors(url: URL) -> AsyncIterator[None]:
    """Re-raise driver errors inside the block as ``storage.errors`` (others unchanged)."""
    try:
        yield
    except Exception as error:
        translated = translate(error, url)
        if translated is None:
            raise
        raise translated from error
