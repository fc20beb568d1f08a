"""The royalty rules, as versioned configuration (ROYALTIES.md "Rules").

A run records the version of the rule set it used and hashes the whole set
into its id, so a changed threshold can never be confused with an earlier
run. Change a rule by adding a new ``RuleSet`` with a new version, never by
editing a published one: statements must stay reproducible.

Bucket templates: the license model carries one template per transformation
(``LicenseTerms.bucket_templates``). A license that lacks the template for a
clip's transformation falls back to ``default_buckets`` here, so money is
never stuck for want of a template; the fallback is part of the rule set
and therefore of the run id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

from core.model import Origin, RightType, Transformation, UsageType

_R = RightType
_T = Transformation


def _frozen(mapping: Mapping[_T, Mapping[_R, Fraction]]) -> Mapping[_T, Mapping[_R, Fraction]]:
    return MappingProxyType({k: MappingProxyType(dict(v)) for k, v in mapping.items()})


DEFAULT_BUCKETS_V1 = _frozen(
    {
        # a cover re-performs the composition over the recording's stems
        _T.COVER: {_R.PERF: Fraction(3, 10), _R.MECH: Fraction(3, 10), _R.MASTER: Fraction(2, 5)},
        # a remix reuses the master audibly: the master side weighs more
        _T.REMIX: {_R.PERF: Fraction(1, 4), _R.MECH: Fraction(1, 4), _R.MASTER: Fraction(1, 2)},
        # a voice swap: the voice owner gets half of the master side (cf. Elf.Tech)
        _T.VOICE_SWAP: {
            _R.PERF: Fraction(1, 5),
            _R.MECH: Fraction(1, 5),
            _R.MASTER: Fraction(3, 10),
            _R.LIKENESS: Fraction(3, 10),
        },
    }
)


@dataclass(frozen=True)
class RuleSet:
    """Every number that decides who gets paid what; one immutable version."""

    version: str = "2026-11.1"
    stream_min_ms: int = 30_000  # a STREAM qualifies from 30 s…
    short_clip_ratio: Fraction = Fraction(9, 10)  # …or 90 % of a clip shorter than that
    dedupe_window_ms: int = 30_000  # same listener, clip and usage within this: one play
    daily_cap_per_clip: int = 10  # per listener, clip and UTC day
    monthly_cap: int = 1_000  # per listener and period, all clips
    usage_weights: Mapping[UsageType, Fraction] = field(
        default_factory=lambda: MappingProxyType(
            {UsageType.DELIVERY: Fraction(1), UsageType.STREAM: Fraction(1)}
        )
    )
    # artist-centric (Deezer/UMG 2023): boosted artists and active plays count double
    boost_min_plays: int = 1_000
    boost_min_listeners: int = 500
    boost_factor: int = 2
    active_origins: frozenset[Origin] = frozenset({Origin.COMMAND, Origin.SEARCH})
    active_factor: int = 2
    # fraud heuristics, per listener and clock hour
    fraud_max_ms_per_hour: int = 3_600_000 + 60_000  # more than wall time (+1 min clock skew)
    fraud_max_clips_per_hour: int = 200
    # ingestion sanity
    max_ms_played: int = 6 * 3_600_000
    max_clock_skew_ms: int = 5 * 60_000
    default_buckets: Mapping[Transformation, Mapping[RightType, Fraction]] = field(
        default_factory=lambda: DEFAULT_BUCKETS_V1
    )

    def __post_init__(self) -> None:
        for kind, template in self.default_buckets.items():
            if sum(template.values(), Fraction(0)) != 1:
                raise ValueError(f"default bucket template for {kind.value} does not sum to 1")

    def buckets_for(
        self,
        transformation: Transformation,
        license_templates: Mapping[Transformation, Mapping[RightType, Fraction]],
    ) -> Mapping[RightType, Fraction]:
        """The license's template for the transformation, else this rule set's default."""
        template = license_templates.get(transformation)
        if template:
            return template
        return self.default_buckets[transformation]

    def as_json(self) -> dict[str, object]:
        """Canonical, order-independent description (hashed into run ids)."""
        return {
            "version": self.version,
            "stream_min_ms": self.stream_min_ms,
            "short_clip_ratio": str(self.short_clip_ratio),
            "dedupe_window_ms": self.dedupe_window_ms,
            "daily_cap_per_clip": self.daily_cap_per_clip,
            "monthly_cap": self.monthly_cap,
            "usage_weights": {k.value: str(v) for k, v in sorted(self.usage_weights.items(),
                                                                   key=lambda kv: kv[0].value)},
            "boost": [self.boost_min_plays, self.boost_min_listeners, self.boost_factor],
            "active": [sorted(o.value for o in self.active_origins), self.active_factor],
            "fraud": [self.fraud_max_ms_per_hour, self.fraud_max_clips_per_hour],
            "ingest": [self.max_ms_played, self.max_clock_skew_ms],
            "default_buckets": {
                t.value: {r.value: str(f) for r, f in sorted(b.items(), key=lambda x: x[0].value)}
                for t, b in sorted(self.default_buckets.items(), key=lambda x: x[0].value)
            },
        }

    def digest(self) -> str:
        text = json.dumps(self.as_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


RULES_V1 = RuleSet()
RULE_SETS: Mapping[str, RuleSet] = MappingProxyType({RULES_V1.version: RULES_V1})
"""Every published rule set by version; settings pick one."""


def rule_set(version: str) -> RuleSet:
    try:
        return RULE_SETS[version]
    except KeyError:
        known = ", ".join(sorted(RULE_SETS))
        raise ValueError(f"unknown royalty rule set {version!r} (known: {known})") from None
