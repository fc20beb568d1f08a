"""Which plays count: one decision per event, made once, with its reason.

ROYALTIES.md rules, in the order they are applied to each new event:

1. ``fraud_suspect`` — the listener is flagged for the period (``core.royalties.fraud``);
2. ``too_short`` — a STREAM under 30 s, unless the clip itself is shorter than
   30 s and at least 90 % of it was played (a DELIVERY has no duration);
3. ``duplicate`` — the same listener, clip and usage already counted within
   the dedupe window (a beacon sent twice, a double tap);
4. ``daily_cap`` — the listener already counted 10 plays of this clip that UTC day;
5. ``monthly_cap`` — the listener already counted 1,000 plays in the period;
6. otherwise ``qualified``.

Decisions are final ("computed once"): events qualified earlier in the
period are given as ``prior`` and only count towards the caps and the
dedupe window of the new ones. Caps therefore hold whatever order the
events arrive in. Within one batch events are decided in ``played_at``
order (event id breaks ties), so a batch is decided the same way every time.
"""

from __future__ import annotations

import bisect
import enum
from collections import defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from core.model import UsageType
from core.royalties.rules import RuleSet


class Reason(enum.Enum):
    QUALIFIED = "qualified"
    FRAUD_SUSPECT = "fraud_suspect"
    TOO_SHORT = "too_short"
    DUPLICATE = "duplicate"
    DAILY_CAP = "daily_cap"
    MONTHLY_CAP = "monthly_cap"


@dataclass(frozen=True)
class PlayFacts:
    """What qualification needs to know about one event (and its clip's length)."""

    event_id: str
    clip_id: str
    usage: UsageType
    listener_key: str
    ms_played: int
    played_at: datetime
    clip_ms: int

    @property
    def day(self) -> date:
        return self.played_at.date()


@dataclass(frozen=True)
class Qualification:
    event_id: str
    reason: Reason

    @property
    def qualified(self) -> bool:
        return self.reason is Reason.QUALIFIED


def long_enough(usage: UsageType, ms_played: int, clip_ms: int, rules: RuleSet) -> bool:
    """A DELIVERY always is; a STREAM from 30 s, or ≥ 90 % of a clip shorter than 30 s."""
    if usage is UsageType.DELIVERY:
        return True
    if ms_played >= rules.stream_min_ms:
        return True
    if 0 < clip_ms < rules.stream_min_ms:
        return ms_played * rules.short_clip_ratio.denominator >= (
            clip_ms * rules.short_clip_ratio.numerator
        )
    return False


class _ListenerState:
    """The plays of one listener already counted in the period."""

    def __init__(self) -> None:
        self.total = 0
        self.per_clip_day: dict[tuple[str, date], int] = defaultdict(int)
        self.times: dict[tuple[str, UsageType], list[int]] = defaultdict(list)

    def count(self, play: PlayFacts) -> None:
        self.total += 1
        self.per_clip_day[(play.clip_id, play.day)] += 1
        bisect.insort(self.times[(play.clip_id, play.usage)], _ms(play.played_at))

    def duplicate(self, play: PlayFacts, window_ms: int) -> bool:
        times = self.times.get((play.clip_id, play.usage))
        if not times:
            return False
        at = _ms(play.played_at)
        i = bisect.bisect_left(times, at - window_ms + 1)
        return i < len(times) and times[i] < at + window_ms


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def qualify(
    events: Iterable[PlayFacts],
    *,
    rules: RuleSet,
    suspects: Container[str] = frozenset(),
    prior: Iterable[PlayFacts] = (),
) -> list[Qualification]:
    """Decide every event of ``events`` (one period), given the ``prior`` qualified plays."""
    state: dict[str, _ListenerState] = defaultdict(_ListenerState)
    for play in prior:
        state[play.listener_key].count(play)
    decided: list[Qualification] = []
    for play in sorted(events, key=lambda e: (e.played_at, e.event_id)):
        reason = _decide(play, state[play.listener_key], rules, suspects)
        if reason is Reason.QUALIFIED:
            state[play.listener_key].count(play)
        decided.append(Qualification(play.event_id, reason))
    return decided


def _decide(
    play: PlayFacts, seen: _ListenerState, rules: RuleSet, suspects: Container[str]
) -> Reason:
    if play.listener_key in suspects:
        return Reason.FRAUD_SUSPECT
    if not long_enough(play.usage, play.ms_played, play.clip_ms, rules):
        return Reason.TOO_SHORT
    if seen.duplicate(play, rules.dedupe_window_ms):
        return Reason.DUPLICATE
    if seen.per_clip_day[(play.clip_id, play.day)] >= rules.daily_cap_per_clip:
        return Reason.DAILY_CAP
    if seen.total >= rules.monthly_cap:
        return Reason.MONTHLY_CAP
    return Reason.QUALIFIED
