"""Allocation: a period's pool → qualified plays → bucket templates → shares → parties.

Everything is exact. Plays arrive already aggregated (storage sums them in
SQL) as *usage groups*: plays of one clip class (same recording, work,
transformation, voice and bucket template) on one day, in one territory,
with one escrow situation. Each group gets an integer weight (pro-rata: its
weighted plays; user-centric: each listener's equal part of the pool spread
over what that listener played). Each group's value splits by the clip's
bucket template into right types and each right by the shares valid on the
play date in the listener's territory (``core.catalog.shares.shares_on``).
What nobody claims goes to UNCLAIMED; what is owed to a revoked voice or an
opted-out work or recording goes to ESCROW. Only the final legs are rounded
(largest remainder, ``core.royalties.money``), so the legs sum to the pool
to the micro-unit.

Arithmetic stays in Python integers: distributions are exact fractions that
are brought to one common denominator before the weights multiply them.
"""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import NamedTuple

from core.catalog.shares import shares_on
from core.errors import RefrainError
from core.model import (
    ESCROW_PARTY_ID,
    UNCLAIMED_PARTY_ID,
    RightType,
    Share,
    SubjectKind,
    Transformation,
    UsageType,
)
from core.royalties.money import largest_remainder
from core.royalties.rules import RuleSet

ShareBook = Mapping[tuple[SubjectKind, str], Sequence[Share]]
"""Every share of the subjects involved, by (subject kind, subject id)."""

_ZERO = Fraction(0)
_ONE = Fraction(1)


class Method(enum.Enum):
    PRO_RATA = "pro-rata"
    USER_CENTRIC = "user-centric"


class AllocationError(RefrainError, ValueError):
    """The inputs cannot be allocated exactly (a bucket template that is not 100 %…)."""


@dataclass(frozen=True)
class ClipClass:
    """What decides where a clip's money goes; all clips with the same facts share one."""

    id: str
    recording_id: str
    work_id: str
    transformation: Transformation
    voice_model_id: str | None
    buckets: tuple[tuple[RightType, Fraction], ...]
    artist: str = ""

    def __post_init__(self) -> None:
        total = sum((f for _r, f in self.buckets), _ZERO)
        if total != _ONE or any(f < 0 for _r, f in self.buckets):
            raise AllocationError(
                f"the {self.transformation.value} bucket template for {self.recording_id} "
                f"sums to {total}, not 1: fix the license terms"
            )


@dataclass(frozen=True)
class Escrow:
    """Which sides of a play are held back: a revoked voice, an opted-out work or recording."""

    voice: bool = False
    work: bool = False
    recording: bool = False

    def holds(self, right: RightType) -> bool:
        if right is RightType.LIKENESS:
            return self.voice
        if right in (RightType.PERF, RightType.MECH):
            return self.work
        return self.recording  # MASTER, REMIXER


NO_ESCROW = Escrow()


class GroupKey(NamedTuple):
    class_id: str
    day: date
    territory: str
    played_period: str
    escrow: Escrow = NO_ESCROW


class UsageCount(NamedTuple):
    """Qualified plays of one group by one usage type and origin kind (and listener)."""

    group: GroupKey
    usage: UsageType
    active: bool
    plays: int
    listener: str | None = None


class LegKey(NamedTuple):
    party_id: str
    right: RightType
    recording_id: str
    territory: str
    played_period: str


def subject_of(right: RightType, clip: ClipClass) -> tuple[SubjectKind, str] | None:
    """Whose shares pay ``right``: the work (publishing), the recording, or the voice."""
    if right in (RightType.PERF, RightType.MECH):
        return (SubjectKind.WORK, clip.work_id)
    if right in (RightType.MASTER, RightType.REMIXER):
        return (SubjectKind.RECORDING, clip.recording_id)
    if clip.voice_model_id is None:
        return None
    return (SubjectKind.VOICE_MODEL, clip.voice_model_id)


def distribution(
    clip: ClipClass, day: date, territory: str, escrow: Escrow, book: ShareBook
) -> dict[tuple[str, RightType], Fraction]:
    """How one unit of a play's value splits between (party, right); sums to exactly 1."""
    out: dict[tuple[str, RightType], Fraction] = defaultdict(Fraction)
    for right, bucket in clip.buckets:
        if bucket == 0:
            continue
        if escrow.holds(right):
            out[(ESCROW_PARTY_ID, right)] += bucket
            continue
        subject = subject_of(right, clip)
        owners = shares_on(book.get(subject, ()), right, day, territory) if subject else []
        claimed = _ZERO
        for share in owners:
            if share.fraction:
                out[(share.party_id, right)] += bucket * share.fraction
                claimed += share.fraction
        if claimed > _ONE:
            subject_id = subject[1] if subject else "?"
            raise AllocationError(
                f"{right.value} shares of {subject_id} sum to {claimed} on {day} in "
                f"{territory}: fix the catalog"
            )
        if claimed < _ONE:
            out[(UNCLAIMED_PARTY_ID, right)] += bucket * (_ONE - claimed)
    return dict(out)


def boosted_artists(
    stats: Iterable[tuple[str, int, int]], rules: RuleSet
) -> frozenset[str]:
    """Artist-centric: artists with enough plays *and* listeners in the period weigh more."""
    return frozenset(
        artist
        for artist, plays, listeners in stats
        if plays >= rules.boost_min_plays and listeners >= rules.boost_min_listeners
    )


def group_weights(
    counts: Iterable[UsageCount],
    *,
    method: Method,
    rules: RuleSet,
    classes: Mapping[str, ClipClass],
    artist_centric: bool = False,
    boosted: frozenset[str] = frozenset(),
) -> dict[GroupKey, int]:
    """Integer weights of the groups; only their ratios matter.

    Pro-rata: the weighted plays of each group. User-centric: every listener
    carries the same weight, spread over that listener's weighted plays (the
    listener weights are brought to one common denominator, exactly).
    """
    scale = math.lcm(*(w.denominator for w in rules.usage_weights.values()))
    unit = {usage: int(w * scale) for usage, w in rules.usage_weights.items()}
    if method is Method.PRO_RATA:
        weights: dict[GroupKey, int] = defaultdict(int)
        for row in counts:
            weights[row.group] += row.plays * _factor(row, unit, rules, classes, artist_centric,
                                                      boosted)
        return {k: v for k, v in weights.items() if v}
    per_listener: dict[str, dict[GroupKey, int]] = defaultdict(lambda: defaultdict(int))
    for row in counts:
        if row.listener is None:
            raise AllocationError("user-centric allocation needs plays per listener")
        factor = _factor(row, unit, rules, classes, artist_centric, boosted)
        per_listener[row.listener][row.group] += row.plays * factor
    totals = {listener: sum(groups.values()) for listener, groups in per_listener.items()}
    common = math.lcm(*(t for t in totals.values() if t)) if any(totals.values()) else 1
    weights = defaultdict(int)
    for listener, groups in per_listener.items():
        if not totals[listener]:
            continue
        each = common // totals[listener]
        for group, weight in groups.items():
            weights[group] += weight * each
    return {k: v for k, v in weights.items() if v}


def _factor(
    row: UsageCount,
    unit: Mapping[UsageType, int],
    rules: RuleSet,
    classes: Mapping[str, ClipClass],
    artist_centric: bool,
    boosted: frozenset[str],
) -> int:
    factor = unit[row.usage]
    if artist_centric:
        if row.active:
            factor *= rules.active_factor
        if classes[row.group.class_id].artist in boosted:
            factor *= rules.boost_factor
    return factor


def allocate(
    pool: int,
    weights: Mapping[GroupKey, int],
    *,
    classes: Mapping[str, ClipClass],
    book: ShareBook,
    seed: str,
) -> dict[LegKey, int]:
    """Split ``pool`` micro-units over the groups and then the parties; sums to ``pool``.

    With no weight at all (no qualified play) the whole pool is UNCLAIMED:
    money in must go somewhere.
    """
    if pool < 0:
        raise AllocationError("the pool must not be negative")
    cache: dict[tuple[str, date, str, Escrow], dict[tuple[str, RightType], Fraction]] = {}
    for group in weights:
        dist_key = (group.class_id, group.day, group.territory, group.escrow)
        if dist_key not in cache:
            cache[dist_key] = distribution(
                classes[group.class_id], group.day, group.territory, group.escrow, book
            )
    common = math.lcm(*(f.denominator for d in cache.values() for f in d.values())) if cache else 1
    scaled = {k: {pr: int(f * common) for pr, f in d.items()} for k, d in cache.items()}
    exact: dict[LegKey, int] = defaultdict(int)
    for group, weight in weights.items():
        recording = classes[group.class_id].recording_id
        for (party, right), part in scaled[
            (group.class_id, group.day, group.territory, group.escrow)
        ].items():
            exact[LegKey(party, right, recording, group.territory, group.played_period)] += (
                weight * part
            )
    if not exact:
        return {LegKey(UNCLAIMED_PARTY_ID, RightType.PERF, "", "WW", ""): pool} if pool else {}
    legs = largest_remainder(pool, exact, seed=seed)
    return {k: v for k, v in legs.items() if v}


def exact_shares(
    pool: int,
    weights: Mapping[GroupKey, int],
    *,
    classes: Mapping[str, ClipClass],
    book: ShareBook,
) -> dict[LegKey, Fraction]:
    """The unrounded value of every leg (for tests and audits): what rounding approximates."""
    total = sum(weights.values())
    out: dict[LegKey, Fraction] = defaultdict(Fraction)
    for group, weight in weights.items():
        clip = classes[group.class_id]
        dist = distribution(clip, group.day, group.territory, group.escrow, book)
        for (party, right), fraction in dist.items():
            key = LegKey(party, right, clip.recording_id, group.territory, group.played_period)
            out[key] += Fraction(pool * weight, total) * fraction
    return dict(out)
