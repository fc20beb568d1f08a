"""The per-member daily limit of a server: property tests of the rule and its reservation."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from core.entitlements import DEFAULT_TIERS, Denied, DenyCode, Granted, check, member_account
from core.entitlements.quota import fits
from core.model import QuotaEntry, QuotaEntryKind
from tests.core.entitlements.golden_hour import NOW, POLICY, USER, context

DAY = datetime(2026, 11, 28, tzinfo=UTC)


@settings(max_examples=400, deadline=None)
@given(
    limit=st.none() | st.integers(1, 200),
    used=st.integers(0, 250),
    seconds=st.integers(1, 60),
    user_used=st.integers(0, 600),
    tier=st.sampled_from(sorted(DEFAULT_TIERS)),
)
def test_member_limit_is_never_passed_and_refuses_only_when_it_must(
    limit: int | None, used: int, seconds: int, user_used: int, tier: str
) -> None:
    ctx = context(
        policy=dataclasses.replace(POLICY, user_seconds_per_day=limit),
        member_used_seconds=None if limit is None else used,
        user_used_seconds=user_used,
        seconds=seconds,
        tier=DEFAULT_TIERS[tier],
    )
    decision = check(ctx)
    over_member = limit is not None and used + seconds > limit
    if isinstance(decision, Granted):
        assert not over_member
        accounts = {r.account: r for r in decision.reservations}
        member = member_account(POLICY.scope_id, USER.id)
        assert (member in accounts) is (limit is not None)
        if limit is not None:
            reservation = accounts[member]
            assert (reservation.seconds, reservation.limit) == (seconds, limit)
            assert reservation.period_start == DAY
    elif decision.code is DenyCode.MEMBER_LIMIT_EXHAUSTED:
        assert over_member
        assert decision.retry_at == DAY + timedelta(days=1)
        assert "`settings user-limit`" in (decision.hint or "")
    # the limit never hides an earlier refusal, and a later one never hides it
    if over_member and isinstance(decision, Denied):
        earlier = list(DenyCode)[: list(DenyCode).index(DenyCode.MEMBER_LIMIT_EXHAUSTED)]
        assert decision.code is DenyCode.MEMBER_LIMIT_EXHAUSTED or decision.code in earlier


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=12), st.integers(1, 120))
def test_grants_in_a_row_stay_within_the_limit_as_the_ledger_counts(
    asks: list[int], limit: int
) -> None:
    """Grant, reserve on a ledger, ask again: the member account never passes its limit."""
    policy = dataclasses.replace(POLICY, user_seconds_per_day=limit)
    member = member_account(POLICY.scope_id, USER.id)
    ledger: list[QuotaEntry] = []
    for number, seconds in enumerate(asks):
        used = sum(e.seconds for e in ledger)
        decision = check(
            context(policy=policy, member_used_seconds=used, seconds=min(seconds, 30),
                    tier=DEFAULT_TIERS["pro"])
        )
        if isinstance(decision, Granted):
            reservation = next(r for r in decision.reservations if r.account == member)
            assert fits(ledger, reservation)
            ledger.append(
                QuotaEntry(f"e{number}", member, f"r{number}", QuotaEntryKind.RESERVE,
                           reservation.seconds, reservation.period_start, NOW)
            )
        else:
            assert decision.code is DenyCode.MEMBER_LIMIT_EXHAUSTED
            assert used + min(seconds, 30) > limit
        assert sum(e.seconds for e in ledger) <= limit
