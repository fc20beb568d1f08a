"""Units of work: one session per repository call, reads and writes kept apart.

Each repository method opens its own short transaction here, so a use case
never holds a transaction across an ``await`` of something slow. Writes start
as ``BEGIN IMMEDIATE`` on SQLite (see ``storage.engine``); on PostgreSQL the
option is ignored and row locks do the serializing. Both paths translate
driver errors into ``storage.errors`` on the way out.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from typing import Any, cast

from sqlalchemy import CursorResult
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.driver_errors import translated_errors
from storage.engine import SQLITE_BEGIN


class Sessions:
    """Opens read and write sessions on one engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # SQLite has one writer at a time. Queueing this process's writers on a
        # lock is fair and cheap; leaving them to SQLite's busy timeout makes
        # them poll and back off, and a burst of submits then times out.
        self._write_lock: asyncio.Lock | None = (
            asyncio.Lock() if engine.dialect.name == "sqlite" else None
        )
        self.url: URL = engine.url
        self.dialect = engine.dialect.name
        self._read = async_sessionmaker(engine, expire_on_commit=False)
        writer = engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        self._write = async_sessionmaker(writer, expire_on_commit=False)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction is rolled back at the end (nothing to keep)."""
        async with translated_errors(self.url), self._read() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in a write transaction, committed when the block ends without error."""
        if self._write_lock is None:
            async with translated_errors(self.url), self._write() as session, session.begin():
                yield session
            return
        async with (
            self._write_lock,
            translated_errors(self.url),
            self._write() as session,
            session.begin(),
        ):
            yield session


IN_CHUNK = 500
"""Values per ``IN (…)`` list: far under SQLite's and asyncpg's parameter limits."""


def in_chunks(values: Iterable[str]) -> Iterator[list[str]]:
    """The distinct ``values``, sorted, in lists short enough for one ``IN (…)`` each."""
    ordered = sorted(set(values))
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start : start + IN_CHUNK]


def rowcount(result: object) -> int:
    """Rows matched by an UPDATE/DELETE that went through ``AsyncSession.execute``."""
    return cast(CursorResult[Any], result).rowcount
