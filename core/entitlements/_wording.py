"""Small pieces of the words refusals are made of, so every rule says things alike.

Song titles are in *italics*, things to type in `backticks`, times in UTC with
the zone spelled out: a fan in any country reads the same sentence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from core.entitlements.tiers import Period
from core.model import Recording, Transformation

KIND_WORDS: Mapping[Transformation, str] = {
    Transformation.COVER: "covers",
    Transformation.REMIX: "remixes",
    Transformation.VOICE_SWAP: "voice covers",
}

_PERIOD_WORDS: Mapping[Period, str] = {
    Period.DAY: "today",
    Period.WEEK: "this week",
    Period.MONTH: "this month",
}


def song(recording: Recording) -> str:
    return f"*{recording.title}*"


def period_word(period: str) -> str:
    """'today', 'this week' or 'this month' for a ``Period`` value."""
    return _PERIOD_WORDS[Period(period)]


def join(words: Iterable[str], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def ordered_styles(ids: Iterable[str], names: Mapping[str, str]) -> list[str]:
    """Style ids in menu order (the order of ``names``), unknown ids last, sorted."""
    wanted = set(ids)
    known = [s for s in names if s in wanted]
    return known + sorted(wanted - set(known))


def style_label(style: str, names: Mapping[str, str]) -> str:
    """'Lo-fi (`lofi`)': the name people know and the id they type."""
    name = names.get(style)
    return f"{name} (`{style}`)" if name and name != style else f"`{style}`"


def style_name(style: str, names: Mapping[str, str]) -> str:
    return names.get(style) or style


def style_list(ids: Iterable[str], names: Mapping[str, str]) -> str:
    return join(style_label(s, names) for s in ordered_styles(ids, names))


def duration(seconds: int) -> str:
    """'42 s', '2 min', '1 h 5 min', '2 d 3 h': exact, zero parts left out."""
    if seconds < 60:
        return f"{seconds} s"
    parts = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}")
    return " ".join(parts)


def wait_seconds(until: datetime, now: datetime) -> int:
    """Whole seconds from ``now`` to ``until``, rounded up so a wait is never understated."""
    return max(0, math.ceil((until - now) / timedelta(seconds=1)))


def clock_time(moment: datetime, now: datetime) -> str:
    """'00:00 UTC' within a day of ``now``, else 'Mon 30 Nov 00:00 UTC'."""
    moment = moment.astimezone(UTC)
    if moment - now <= timedelta(days=1):
        return f"{moment:%H:%M} UTC"
    return f"{moment:%a} {moment.day} {moment:%b %H:%M} UTC"


def resets(end: datetime, now: datetime) -> str:
    """'resets in 5 h 12 min (00:00 UTC)', the wait rounded up to whole minutes."""
    minutes = math.ceil(wait_seconds(end, now) / 60)
    return f"resets in {duration(minutes * 60)} ({clock_time(end, now)})"
