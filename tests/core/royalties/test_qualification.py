"""Qualification: each play decided once, caps that always hold (invariant 5), fraud flags."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from core.model import UsageType
from core.royalties.fraud import find_suspects, hour_activity
from core.royalties.qualification import PlayFacts, Reason, long_enough, qualify
from core.royalties.rules import RULES_V1, RuleSet

T0 = datetime(2026, 11, 1, tzinfo=UTC)
SMALL = RuleSet(version="test", daily_cap_per_clip=3, monthly_cap=7)


@st.composite
def plays(draw: st.DrawFn, max_size: int = 80) -> list[PlayFacts]:
    n = draw(st.integers(0, max_size))
    out = []
    for i in range(n):
        out.append(
            PlayFacts(
                event_id=f"e{i:04d}",
                clip_id=draw(st.sampled_from(("c1", "c2", "c3"))),
                usage=draw(st.sampled_from(list(UsageType))),
                listener_key=draw(st.sampled_from(("l1", "l2"))),
                ms_played=draw(st.sampled_from((0, 5_000, 27_000, 30_000, 180_000))),
                played_at=T0 + timedelta(seconds=draw(st.integers(0, 3 * 86_400))),
                clip_ms=draw(st.sampled_from((20_000, 30_000, 60_000))),
            )
        )
    return out


def _check_caps(facts: list[PlayFacts], rules: RuleSet, decided: dict[str, Reason]) -> None:
    counted = [p for p in facts if decided[p.event_id] is Reason.QUALIFIED]
    per_day = Counter((p.listener_key, p.clip_id, p.day) for p in counted)
    per_month = Counter(p.listener_key for p in counted)
    assert all(n <= rules.daily_cap_per_clip for n in per_day.values())
    assert all(n <= rules.monthly_cap for n in per_month.values())
    for p in counted:
        assert long_enough(p.usage, p.ms_played, p.clip_ms, rules)
    # no two counted plays of the same listener, clip and usage inside the dedupe window
    by_key: dict[tuple[str, str, UsageType], list[datetime]] = {}
    for p in counted:
        by_key.setdefault((p.listener_key, p.clip_id, p.usage), []).append(p.played_at)
    for times in by_key.values():
        times.sort()
        for a, b in itertools.pairwise(times):
            assert (b - a).total_seconds() * 1000 >= rules.dedupe_window_ms


@settings(max_examples=150, deadline=None)
@given(plays(), st.integers(0, 80))
def test_every_event_decided_once_and_caps_hold_whatever_the_arrival_order(
    facts: list[PlayFacts], split: int
) -> None:
    """Invariant 5, also when the period's events arrive in two batches, late ones first."""
    everything = {q.event_id: q.reason for q in qualify(facts, rules=SMALL)}
    assert set(everything) == {p.event_id for p in facts}
    _check_caps(facts, SMALL, everything)

    later, earlier = facts[:split], facts[split:]
    first = {q.event_id: q.reason for q in qualify(later, rules=SMALL)}
    prior = [p for p in later if first[p.event_id] is Reason.QUALIFIED]
    second = {q.event_id: q.reason for q in qualify(earlier, rules=SMALL, prior=prior)}
    assert not set(first) & set(second)
    _check_caps(facts, SMALL, {**first, **second})


@given(plays())
def test_decisions_are_deterministic(facts: list[PlayFacts]) -> None:
    assert qualify(facts, rules=SMALL) == qualify(list(reversed(facts)), rules=SMALL)


def _play(i: int, ms: int = 60_000, clip_ms: int = 60_000, usage: UsageType = UsageType.STREAM,
          at: datetime = T0, listener: str = "l1", clip: str = "c1") -> PlayFacts:
    return PlayFacts(f"e{i}", clip, usage, listener, ms, at, clip_ms)


def test_stream_length_rules() -> None:
    assert long_enough(UsageType.STREAM, 30_000, 200_000, RULES_V1)
    assert not long_enough(UsageType.STREAM, 29_999, 200_000, RULES_V1)
    assert long_enough(UsageType.STREAM, 18_000, 20_000, RULES_V1)  # 90 % of a 20 s clip
    assert not long_enough(UsageType.STREAM, 17_999, 20_000, RULES_V1)
    assert long_enough(UsageType.DELIVERY, 0, 20_000, RULES_V1)


def test_reasons_in_order() -> None:
    events = [
        _play(1, at=T0),
        _play(2, at=T0 + timedelta(seconds=10)),  # same clip within 30 s
        _play(3, ms=1_000, at=T0 + timedelta(minutes=5)),
        _play(4, listener="bot", at=T0),
    ]
    decided = {q.event_id: q.reason for q in qualify(events, rules=RULES_V1, suspects={"bot"})}
    assert decided == {
        "e1": Reason.QUALIFIED,
        "e2": Reason.DUPLICATE,
        "e3": Reason.TOO_SHORT,
        "e4": Reason.FRAUD_SUSPECT,
    }


def test_daily_cap_of_ten_per_clip_and_monthly_cap() -> None:
    events = [_play(i, at=T0 + timedelta(minutes=i)) for i in range(12)]
    reasons = [q.reason for q in qualify(events, rules=RULES_V1)]
    assert reasons.count(Reason.QUALIFIED) == 10
    assert reasons[10:] == [Reason.DAILY_CAP, Reason.DAILY_CAP]
    many = [
        _play(i, clip=f"c{i}", at=T0 + timedelta(minutes=i)) for i in range(1_005)
    ]
    reasons = [q.reason for q in qualify(many, rules=RULES_V1)]
    assert reasons.count(Reason.QUALIFIED) == 1_000
    assert reasons[-5:] == [Reason.MONTHLY_CAP] * 5


def test_fraud_flags_impossible_rates() -> None:
    # 40 three-minute streams started within one hour: 120 min in 60
    greedy = [_play(i, ms=180_000, at=T0 + timedelta(seconds=90 * i), clip=f"c{i}") for i in range(40)]
    # 250 different clips delivered within an hour
    hoarder = [
        _play(i, usage=UsageType.DELIVERY, ms=0, listener="l2", clip=f"c{i}",
              at=T0 + timedelta(seconds=10 * i))
        for i in range(250)
    ]
    # a fan who streams all afternoon, back to back
    fan = [_play(i, ms=170_000, listener="l3", clip=f"c{i % 5}",
                 at=T0 + timedelta(seconds=180 * i)) for i in range(60)]
    suspects = find_suspects(hour_activity(greedy + hoarder + fan), RULES_V1)
    assert [s.listener_key for s in suspects] == ["l1", "l2"]
    assert "min streamed in one hour" in suspects[0].reason
    assert "250 different clips" in suspects[1].reason
    assert "UTC" in suspects[0].describe()
