"""Plays and royalties (ROYALTIES.md): pure rules, exact money, double-entry postings.

``money`` (micro-units, largest remainder), ``rules`` (versioned
configuration), ``periods``, ``ingest`` (JSONL lines → play events),
``qualification``, ``fraud``, ``allocation`` (pro-rata, user-centric,
artist-centric), ``ledger`` (postings, reversals), ``statements``, ``dsr``
and ``run_id`` do no I/O. ``RoyaltyService`` (``runs``) is the use case —
qualify, run, reverse, close, summary, statements — on a
``RoyaltyRepository`` (``ports``: SQL in storage); ``types`` holds what a
run is asked and answers, ``catalog_facts`` what it knows of the catalog.
"""

from core.royalties.catalog_facts import CatalogFacts, CatalogRows, catalog_facts
from core.royalties.ports import PeriodTransaction, PeriodView, RoyaltyRepository
from core.royalties.runs import RoyaltyService
from core.royalties.types import (
    PeriodSummary,
    QualifySummary,
    RoyaltyError,
    RunInfo,
    RunOutcome,
    RunRequest,
)

__all__ = [
    "CatalogFacts",
    "CatalogRows",
    "PeriodSummary",
    "PeriodTransaction",
    "PeriodView",
    "QualifySummary",
    "RoyaltyError",
    "RoyaltyRepository",
    "RoyaltyService",
    "RunInfo",
    "RunOutcome",
    "RunRequest",
    "catalog_facts",
]
