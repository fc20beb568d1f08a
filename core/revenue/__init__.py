"""Fans' money (payments, grants, recognized revenue) and the royalty pool it funds.

``plans`` (what is on sale), ``recognition`` (revenue over the service days),
``rates`` (dated conversion, exact), ``ledger`` (balanced entries, reversals
that never rewrite a closed period), ``grants`` (which tier a user has now)
do no I/O. ``RevenueService`` (``service``) is the use case on a
``RevenueRepository`` (``ports``: SQL in storage).
"""

from core.revenue.errors import RevenueError
from core.revenue.grants import (
    best_grant,
    effective_policy,
    effective_user,
    scope_subject,
    user_subject,
)
from core.revenue.ledger import (
    FEES,
    PAYER,
    REVENUE,
    EntryKind,
    RevenueEntry,
    RevenueLeg,
    payment_legs,
    reversal_legs,
)
from core.revenue.plans import Plan, PlanBook, fee_of, micros_of, price_text
from core.revenue.ports import GrantEnd, RevenueRepository
from core.revenue.rates import Rate, convert, currency_code, parse_rate, rate_in_force
from core.revenue.recognition import recognize, service_days
from core.revenue.service import Payment, Recorded, RevenueService, exact

__all__ = [
    "FEES",
    "PAYER",
    "REVENUE",
    "EntryKind",
    "GrantEnd",
    "Payment",
    "Plan",
    "PlanBook",
    "Rate",
    "Recorded",
    "RevenueEntry",
    "RevenueError",
    "RevenueLeg",
    "RevenueRepository",
    "RevenueService",
    "best_grant",
    "convert",
    "currency_code",
    "effective_policy",
    "effective_user",
    "exact",
    "fee_of",
    "micros_of",
    "parse_rate",
    "payment_legs",
    "price_text",
    "rate_in_force",
    "recognize",
    "reversal_legs",
    "scope_subject",
    "service_days",
    "user_subject",
]
