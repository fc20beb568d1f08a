"""Anti-fraud basics: listeners whose activity no person could produce.

Per listener and clock hour (UTC), two impossibilities are flagged:

* more milliseconds streamed than the hour holds — plus the longest single
  play of that hour, since a play started at 10:58 may run past 11:00;
* more distinct clips than ``fraud_max_clips_per_hour`` (hundreds an hour).

A flagged listener's events of the period are not qualified (reason
``fraud_suspect``) and are listed by `refrain royalties suspects`. Storage
aggregates the hours in SQL; :func:`hour_activity` is the same aggregation
in Python, for the tests and for small batches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from core.model import UsageType
from core.royalties.qualification import PlayFacts
from core.royalties.rules import RuleSet

HOUR_MS = 3_600_000


@dataclass(frozen=True)
class HourActivity:
    listener_key: str
    hour: int  # hours since the Unix epoch, UTC
    stream_ms: int  # STREAM milliseconds started in that hour
    longest_ms: int  # the longest single STREAM of that hour
    clips: int  # distinct clips played or delivered


@dataclass(frozen=True)
class Suspect:
    listener_key: str
    hour: int
    reason: str

    def describe(self) -> str:
        from datetime import UTC, datetime

        start = datetime.fromtimestamp(self.hour * 3600, UTC).strftime("%Y-%m-%d %H:00")
        return f"{self.listener_key[:12]}… {start} UTC: {self.reason}"


def hour_of(play: PlayFacts) -> int:
    return int(play.played_at.timestamp()) // 3600


def hour_activity(plays: Iterable[PlayFacts]) -> list[HourActivity]:
    """Per (listener, hour): streamed ms, the longest stream, distinct clips."""
    ms: dict[tuple[str, int], int] = defaultdict(int)
    longest: dict[tuple[str, int], int] = defaultdict(int)
    clips: dict[tuple[str, int], set[str]] = defaultdict(set)
    for play in plays:
        key = (play.listener_key, hour_of(play))
        clips[key].add(play.clip_id)
        if play.usage is UsageType.STREAM:
            ms[key] += play.ms_played
            longest[key] = max(longest[key], play.ms_played)
    return [
        HourActivity(listener, hour, ms[(listener, hour)], longest[(listener, hour)], len(ids))
        for (listener, hour), ids in sorted(clips.items())
    ]


def find_suspects(activity: Iterable[HourActivity], rules: RuleSet) -> list[Suspect]:
    """The first offending hour of each flagged listener, with the reason in words."""
    found: dict[str, Suspect] = {}
    for hour in sorted(activity, key=lambda a: (a.listener_key, a.hour)):
        if hour.listener_key in found:
            continue
        reason = None
        allowed = rules.fraud_max_ms_per_hour + hour.longest_ms
        if hour.stream_ms > allowed:
            reason = (
                f"{hour.stream_ms / 60_000:.0f} min streamed in one hour "
                f"(at most {allowed / 60_000:.0f} possible)"
            )
        elif hour.clips > rules.fraud_max_clips_per_hour:
            reason = (
                f"{hour.clips} different clips in one hour "
                f"(limit {rules.fraud_max_clips_per_hour})"
            )
        if reason is not None:
            found[hour.listener_key] = Suspect(hour.listener_key, hour.hour, reason)
    return sorted(found.values(), key=lambda s: s.listener_key)
