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

from core.royalties.allocation import Method
from core.royalties.catalog_facts import (
    CatalogFacts,
    CatalogRows,
    LicenseRef,
    RecordingRef,
    VoiceRef,
    catalog_facts,
)
from core.royalties.dsr import dsr_filename, read_total, render_dsr
from core.royalties.fraud import HourActivity, Suspect
from core.royalties.ingest import LineIssue, parse_line
from core.royalties.ledger import PARTY_ACCOUNT, Leg, Posting, PostingKind
from core.royalties.money import AmountError, format_micros, parse_amount
from core.royalties.periods import Period, PeriodError, accounting_period
from core.royalties.ports import (
    ESCROW_RECORDING,
    ESCROW_VOICE,
    ESCROW_WORK,
    PendingPlay,
    PeriodTransaction,
    PeriodView,
    PlayDecision,
    RoyaltyRepository,
    Templates,
    UsageRow,
)
from core.royalties.qualification import PlayFacts, Reason
from core.royalties.rules import DEFAULT_BUCKETS_V1, RULES_V1, RuleSet, rule_set
from core.royalties.run_id import RunInputs
from core.royalties.runs import RoyaltyService
from core.royalties.statements import (
    RecordingInfo,
    Statement,
    Usage,
    UsageBook,
    basis_data,
    render_basis,
    render_csv,
    render_json,
)
from core.royalties.types import (
    BasisLine,
    PeriodSummary,
    PoolBasis,
    QualifySummary,
    RoyaltyError,
    RunInfo,
    RunOutcome,
    RunRequest,
)

__all__ = [
    "DEFAULT_BUCKETS_V1",
    "ESCROW_RECORDING",
    "ESCROW_VOICE",
    "ESCROW_WORK",
    "PARTY_ACCOUNT",
    "RULES_V1",
    "AmountError",
    "BasisLine",
    "CatalogFacts",
    "CatalogRows",
    "HourActivity",
    "Leg",
    "LicenseRef",
    "LineIssue",
    "Method",
    "PendingPlay",
    "Period",
    "PeriodError",
    "PeriodSummary",
    "PeriodTransaction",
    "PeriodView",
    "PlayDecision",
    "PlayFacts",
    "PoolBasis",
    "Posting",
    "PostingKind",
    "QualifySummary",
    "Reason",
    "RecordingInfo",
    "RecordingRef",
    "RoyaltyError",
    "RoyaltyRepository",
    "RoyaltyService",
    "RuleSet",
    "RunInfo",
    "RunInputs",
    "RunOutcome",
    "RunRequest",
    "Statement",
    "Suspect",
    "Templates",
    "Usage",
    "UsageBook",
    "UsageRow",
    "VoiceRef",
    "accounting_period",
    "basis_data",
    "catalog_facts",
    "dsr_filename",
    "format_micros",
    "parse_amount",
    "parse_line",
    "read_total",
    "render_basis",
    "render_csv",
    "render_dsr",
    "render_json",
    "rule_set",
]
