"""The catalog: works, recordings, parties, shares and licenses, checked on the way in.

Public surface: ``parse_catalog`` (import files), ``CatalogIndex`` (fuzzy
search and request resolution), ``demo_catalog`` (the shipped fictional
catalog), the identifier and share checks, and the errors they raise.
"""

from core.catalog.demo import (
    ACTIVE_VOICE_ID,
    DEMO_VOICE_IDS,
    REVOKED_VOICE_ID,
    SECOND_VOICE_ID,
    DemoCatalog,
    DemoSong,
    demo_catalog,
)
from core.catalog.errors import CatalogImportError, ImportIssue
from core.catalog.identifiers import InvalidIdentifier, validate_ipi, validate_isrc, validate_iswc
from core.catalog.importer import CatalogFile, clashes_with_catalog, parse_catalog_file
from core.catalog.search import (
    Ambiguous,
    CandidateIndex,
    CatalogIndex,
    Exact,
    NotFound,
    Resolution,
    SearchHit,
)
from core.catalog.shares import ShareSumError, shares_on, validate_shares
from core.catalog.text import normalise, trigrams

__all__ = [
    "ACTIVE_VOICE_ID",
    "DEMO_VOICE_IDS",
    "REVOKED_VOICE_ID",
    "SECOND_VOICE_ID",
    "Ambiguous",
    "CandidateIndex",
    "CatalogFile",
    "CatalogImportError",
    "CatalogIndex",
    "DemoCatalog",
    "DemoSong",
    "Exact",
    "ImportIssue",
    "InvalidIdentifier",
    "NotFound",
    "Resolution",
    "SearchHit",
    "ShareSumError",
    "clashes_with_catalog",
    "demo_catalog",
    "normalise",
    "parse_catalog_file",
    "shares_on",
    "trigrams",
    "validate_ipi",
    "validate_isrc",
    "validate_iswc",
    "validate_shares",
]
