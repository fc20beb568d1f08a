"""Plays and royalties (ROYALTIES.md): pure rules, exact money, double-entry postings.

``money`` (micro-units, largest remainder), ``rules`` (versioned
configuration), ``periods``, ``ingest`` (JSONL lines → play events),
``qualification``, ``fraud``, ``allocation`` (pro-rata, user-centric,
artist-centric), ``ledger`` (postings, reversals), ``statements``, ``dsr``
and ``run_id`` do no I/O; ``types`` holds what a run is asked and answers.
"""

from core.royalties.types import (
    PeriodSummary,
    QualifySummary,
    RoyaltyError,
    RunInfo,
    RunOutcome,
    RunRequest,
)

__all__ = [
    "PeriodSummary",
    "QualifySummary",
    "RoyaltyError",
    "RunInfo",
    "RunOutcome",
    "RunRequest",
]
