"""Refrain's storage: SQL repositories for ``core.ports``, migrations, and the blob store.

Public surface::

    from storage import Database, LocalBlobStore, upgrade
    await upgrade(url)                 # once, at setup (`refrain db upgrade`)
    db = await Database.open(url)      # sqlite+aiosqlite:///… or postgresql+asyncpg://…
    await db.check_schema()            # SchemaOutOfDate if migrations are missing
    db.stores.requests ...             # core.ports.Stores
    await db.close()
"""

from storage.blobs import LocalBlobStore
from storage.database import Database
from storage.errors import (
    AppendOnlyViolation,
    NotFound,
    SchemaOutOfDate,
    StorageConflict,
    StorageError,
    StorageUnavailable,
)
from storage.migrate import check_schema, downgrade, upgrade

__all__ = [
    "AppendOnlyViolation",
    "Database",
    "LocalBlobStore",
    "NotFound",
    "SchemaOutOfDate",
    "StorageConflict",
    "StorageError",
    "StorageUnavailable",
    "check_schema",
    "downgrade",
    "upgrade",
]
