"""The catalog: works, recordings, parties, shares and licenses, checked on the way in.

Public surface: ``parse_catalog`` (import files), ``CatalogIndex`` (fuzzy
search and request resolution), ``demo_catalog`` (the shipped fictional
catalog), the identifier and share checks, and the errors they raise.
"""

from core.catalog.errors import CatalogImportError, ImportIssue
from core.catalog.identifiers import InvalidIdentifier, validate_ipi, validate_isrc, validate_iswc
from core.catalog.shares import ShareSumError, shares_on, validate_shares

__all__ = [
    "CatalogImportError",
    "ImportIssue",
    "InvalidIdentifier",
    "ShareSumError",
    "shares_on",
    "validate_ipi",
    "validate_isrc",
    "validate_iswc",
    "validate_shares",
]
