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
from storage.engine import create_engine
from storage.errors import (
    AppendOnlyViolation,
    NotFound,
    SchemaOutOfDate,
    StorageConflict,
    StorageError,
    StorageUnavailable,
)
from storage.migrate import check_schema, downgrade, upgrade
from storage.repositories.plays import SqlPlayLog
from storage.repositories.royalties import SqlRoyaltyRepository
from storage.repositories.voices import SqlVoiceRegistry
from storage.search_postings import TrigramPostings
from storage.sessions import Sessions
from storage.stem_index import FileStemIndex
from storage.warm_list import FileWarmList, WarmState

__all__ = [
    "AppendOnlyViolation",
    "Database",
    "FileStemIndex",
    "FileWarmList",
    "LocalBlobStore",
    "NotFound",
    "SchemaOutOfDate",
    "Sessions",
    "SqlPlayLog",
    "SqlRoyaltyRepository",
    "SqlVoiceRegistry",
    "StorageConflict",
    "StorageError",
    "StorageUnavailable",
    "TrigramPostings",
    "WarmState",
    "check_schema",
    "create_engine",
    "downgrade",
    "upgrade",
]
