"""web.playrules: what listening a beacon may claim (pure)."""

from __future__ import annotations

from core.links import BeaconState
from web.playrules import Accepted, BeaconKind, BeaconRules, Refusal, advance

RULES = BeaconRules(slack_ms=2000, max_page_age_ms=3_600_000, max_rounds=3, max_clock_skew_ms=300_000)
T = 1_800_000_000_000
PAGE = BeaconState("d-1", "n", "k" * 64, "WW", issued_ms=T)
CLIP_MS = 60_000


def step(state: BeaconState, kind: BeaconKind, *, at: int, ms: int = 0, client: int | None = None
         ) -> Accepted | Refusal:
    return advance(state, kind, claimed_ms=ms, client_ms=at if client is None else client,
                   now_ms=at, clip_ms=CLIP_MS, rules=RULES)


def accepted(outcome: Accepted | Refusal) -> Accepted:
    assert isinstance(outcome, Accepted), outcome
    return outcome


def test_a_round_from_start_to_end_records_what_was_listened() -> None:
    started = accepted(step(PAGE, BeaconKind.START, at=T + 1000)).state
    assert started.playing and started.played_at_ms == T + 1000
    mid = accepted(step(started, BeaconKind.PROGRESS, at=T + 11_000, ms=10_000)).state
    assert mid.ms_played == 10_000
    end = accepted(step(mid, BeaconKind.END, at=T + 32_000, ms=31_000))
    assert end.finished is not None and end.finished.ms_played == 31_000
    assert end.state.round == 1 and not end.state.playing and end.state.ms_played == 0


def test_claims_beyond_elapsed_time_are_impossible() -> None:
    started = accepted(step(PAGE, BeaconKind.START, at=T)).state
    assert step(started, BeaconKind.PROGRESS, at=T + 10_000, ms=12_001) is Refusal.IMPOSSIBLE_TIMING
    assert isinstance(step(started, BeaconKind.PROGRESS, at=T + 10_000, ms=12_000), Accepted)
    mid = accepted(step(started, BeaconKind.PROGRESS, at=T + 10_000, ms=9_000)).state
    assert step(mid, BeaconKind.END, at=T + 20_000, ms=8_000) is Refusal.IMPOSSIBLE_TIMING  # backwards


def test_slack_does_not_accumulate_over_many_beacons() -> None:
    state = accepted(step(PAGE, BeaconKind.START, at=T)).state
    claimed = 0
    for i in range(1, 50):
        claimed = i * 100 + RULES.slack_ms
        outcome = step(state, BeaconKind.PROGRESS, at=T + i * 100, ms=claimed)
        state = accepted(outcome).state
    assert state.ms_played <= 4900 + RULES.slack_ms


def test_order_and_repetition_are_checked() -> None:
    assert step(PAGE, BeaconKind.PROGRESS, at=T, ms=0) is Refusal.NOT_PLAYING
    assert step(PAGE, BeaconKind.END, at=T, ms=0) is Refusal.NOT_PLAYING
    started = accepted(step(PAGE, BeaconKind.START, at=T)).state
    assert step(started, BeaconKind.START, at=T + 5) is Refusal.ALREADY_PLAYING


def test_pages_expire_and_rounds_are_capped() -> None:
    assert step(PAGE, BeaconKind.START, at=T + RULES.max_page_age_ms + 1) is Refusal.PAGE_EXPIRED
    assert step(PAGE, BeaconKind.START, at=T - 10_000) is Refusal.PAGE_EXPIRED  # from the future
    state = PAGE
    for r in range(RULES.max_rounds):
        state = accepted(step(state, BeaconKind.START, at=T + r * 10_000)).state
        state = accepted(step(state, BeaconKind.END, at=T + r * 10_000 + 5000, ms=5000)).state
    assert step(state, BeaconKind.START, at=T + 100_000) is Refusal.TOO_MANY_ROUNDS


def test_a_round_counts_one_pass_and_insane_client_clocks_are_replaced() -> None:
    started = accepted(step(PAGE, BeaconKind.START, at=T, client=T + 86_400_000)).state
    assert started.played_at_ms == T
    end = accepted(step(started, BeaconKind.END, at=T + 90_000, ms=90_000))
    assert end.finished is not None and end.finished.ms_played == CLIP_MS
