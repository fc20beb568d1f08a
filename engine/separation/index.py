"""Which stems a recording already has: the stem cache's table of contents.

The blobs themselves are content-addressed and know nothing of recordings;
this index maps a stem cache key to the blob of each stem, and remembers
whether the stems came with the recording (``provided``: true stems, never
to be replaced by an estimate) or were separated here. Storage implements it
on the database; ``InMemoryStemIndex`` serves tests and one-off runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol


@dataclass(frozen=True)
class StemIndexEntry:
    """Stem name → blob sha256, and whether the stems were provided."""

    stems: Mapping[str, str]
    provided: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "stems", MappingProxyType(dict(self.stems)))


class StemIndex(Protocol):
    async def get(self, key: str) -> StemIndexEntry | None:
        """The stems stored under ``key``, or ``None``."""
        ...

    async def put(self, key: str, stems: Mapping[str, str], provided: bool) -> None:
        """Store (or replace) the stems of ``key``."""
        ...


@dataclass
class InMemoryStemIndex:
    """A ``StemIndex`` in a dict: for tests and runs without a database."""

    entries: dict[str, StemIndexEntry] = field(default_factory=dict)

    async def get(self, key: str) -> StemIndexEntry | None:
        return self.entries.get(key)

    async def put(self, key: str, stems: Mapping[str, str], provided: bool) -> None:
        self.entries[key] = StemIndexEntry(stems, provided)
