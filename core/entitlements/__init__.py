"""Entitlements: may a render request run, and what does it reserve?

One pure engine (``check``) over one context decides before any compute,
with tiers and UTC quota periods (``DEFAULT_TIERS``, ``period_bounds``) and
the quota-ledger arithmetic every store must uphold (``used_seconds``,
``apply``).
"""

from core.entitlements._limits import member_account
from core.entitlements._voice import (
    ScopeError,
    VoiceScope,
    is_active,
    scope_of,
    server_allows,
    voices_for_song,
    voices_in_scope,
)
from core.entitlements.context import EntitlementContext
from core.entitlements.decision import Denied, DenyCode, Granted
from core.entitlements.engine import CHECK_ORDER, check
from core.entitlements.quota import LedgerError, LedgerProblem, apply, fits, used_seconds
from core.entitlements.tiers import DEFAULT_TIERS, Period, period_bounds

__all__ = [
    "CHECK_ORDER",
    "DEFAULT_TIERS",
    "Denied",
    "DenyCode",
    "EntitlementContext",
    "Granted",
    "LedgerError",
    "LedgerProblem",
    "Period",
    "ScopeError",
    "VoiceScope",
    "apply",
    "check",
    "fits",
    "is_active",
    "member_account",
    "period_bounds",
    "scope_of",
    "server_allows",
    "used_seconds",
    "voices_for_song",
    "voices_in_scope",
]
