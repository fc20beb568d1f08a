"""What a play beacon may claim, checked against the server's own clock (pure).

The browser says how long it has been playing; the server believes it only as
far as physics allows: a round can't have played longer than the server time
since it started (plus a little slack for the network), listening time never
goes backwards, and a page is not a ticket forever. Whether a play is long
enough to *count* is not decided here: that is the royalties' qualification
(the 30-second rule); this module only decides what was plausibly listened.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from core.links import BeaconState


class BeaconKind(enum.Enum):
    START = "start"
    PROGRESS = "progress"
    END = "end"


class Refusal(enum.Enum):
    """Why a beacon changed nothing; each maps to one HTTP status."""

    PAGE_EXPIRED = "page_expired"  # 410: reload the page
    NOT_PLAYING = "not_playing"  # 409: progress/end without a start
    ALREADY_PLAYING = "already_playing"  # 409: a second start in one round
    TOO_MANY_ROUNDS = "too_many_rounds"  # 409
    IMPOSSIBLE_TIMING = "impossible_timing"  # 422: more listening than time passed, or backwards


@dataclass(frozen=True)
class BeaconRules:
    slack_ms: int
    max_page_age_ms: int
    max_rounds: int
    max_clock_skew_ms: int


@dataclass(frozen=True)
class Accepted:
    """The next state; ``finished`` holds the round's final state when the beacon ended a round."""

    state: BeaconState
    finished: BeaconState | None = None


def advance(
    state: BeaconState,
    kind: BeaconKind,
    *,
    claimed_ms: int,
    client_ms: int,
    now_ms: int,
    clip_ms: int,
    rules: BeaconRules,
) -> Accepted | Refusal:
    """Apply one beacon to a session state.

    Args:
        state: from the (already verified) token the beacon carried.
        claimed_ms: the browser's cumulative listening time in this round.
        client_ms: the browser's clock (Unix ms), used as ``played_at`` when sane.
        now_ms: the server's clock (Unix ms).
        clip_ms: the clip's length; a round never counts more than one pass.
    """
    if now_ms - state.issued_ms > rules.max_page_age_ms or now_ms < state.issued_ms - rules.slack_ms:
        return Refusal.PAGE_EXPIRED
    if kind is BeaconKind.START:
        if state.playing:
            return Refusal.ALREADY_PLAYING
        if state.round >= rules.max_rounds:
            return Refusal.TOO_MANY_ROUNDS
        played_at = client_ms if abs(client_ms - now_ms) <= rules.max_clock_skew_ms else now_ms
        return Accepted(state.next(started_ms=now_ms, ms_played=0, played_at_ms=played_at))
    if not state.playing:
        return Refusal.NOT_PLAYING
    if claimed_ms < state.ms_played or claimed_ms > now_ms - state.started_ms + rules.slack_ms:
        return Refusal.IMPOSSIBLE_TIMING
    listened = min(claimed_ms, clip_ms)
    if kind is BeaconKind.PROGRESS:
        return Accepted(state.next(ms_played=listened))
    finished = state.next(ms_played=listened)
    fresh = state.next(round=state.round + 1, started_ms=0, ms_played=0, played_at_ms=0)
    return Accepted(fresh, finished=finished)
