"""Entitlements: tiers, quotas and the engine that grants or denies a render."""

from core.entitlements.engine import Denied, DenyCode, EntitlementContext, Granted, check
from core.entitlements.quota import LedgerError, apply, used_seconds
from core.entitlements.tiers import DEFAULT_TIERS, period_bounds

__all__ = [
    "DEFAULT_TIERS",
    "Denied",
    "DenyCode",
    "EntitlementContext",
    "Granted",
    "LedgerError",
    "apply",
    "check",
    "period_bounds",
    "used_seconds",
]
