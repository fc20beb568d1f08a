"""What storage raises, in words a user or an operator can act on.

Driver exceptions (sqlite3, asyncpg, SQLAlchemy) never leave ``storage``: the
unit of work translates them into these, so callers above need not import a
database library to tell "try again later" from "run the migrations".
Messages never contain a password: locations are shown as a file path or
``host:port``.
"""

from __future__ import annotations

from core.errors import RefrainError, UserFacing


class StorageError(RefrainError):
    """Base of every error raised by ``storage``."""


class StorageUnavailable(StorageError, UserFacing):
    """The database cannot be used right now (locked, unreachable, refused us).

    ``str(error)`` is for operators (it names the file or host:port);
    ``user_message`` is what a fan may read: no host, port, path or SQL.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.user_message = (
            "Refrain's database is unavailable for a moment; please try again shortly."
        )


class SchemaOutOfDate(StorageError, UserFacing):
    """The database schema is not the one this code was written for."""


class StorageConflict(StorageError):
    """A write broke a constraint (a missing referenced row, a duplicate key)."""


class NotFound(StorageError, LookupError):
    """A write named a row that does not exist."""


class AppendOnlyViolation(StorageError):
    """Code tried to change or delete a row of an append-only table."""
