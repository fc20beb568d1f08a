"""JSONL play lines: good lines become events, bad ones say exactly what is wrong."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from core.ids import new_id
from core.model import Origin, PlayEvent, UsageType
from core.royalties.ingest import LineIssue, parse_line
from core.royalties.periods import Period, PeriodError
from core.royalties.rules import RULES_V1

NOW = datetime(2026, 12, 2, tzinfo=UTC)


def _line(**changes: object) -> str:
    data: dict[str, object] = {
        "event_id": new_id(),
        "clip_id": "clip-1",
        "usage": "STREAM",
        "listener": "12345",
        "platform": "telegram",
        "origin": "SHARED_LINK",
        "ms_played": 31_000,
        "played_at": "2026-11-03T18:04:05Z",
        "territory": "de",
    }
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not None})


def _parse(text: str, period: Period | None = None) -> PlayEvent | LineIssue | None:
    return parse_line(text, 7, secret=b"s", received_at=NOW, rules=RULES_V1, period=period)


def test_a_good_line_becomes_an_event_without_the_raw_listener_id() -> None:
    event = _parse(_line())
    assert isinstance(event, PlayEvent)
    assert event.usage is UsageType.STREAM and event.origin is Origin.SHARED_LINK
    assert event.territory == "DE"
    assert "12345" not in event.listener_key and len(event.listener_key) == 64
    assert event.played_at == datetime(2026, 11, 3, 18, 4, 5, tzinfo=UTC)
    assert _parse("   ") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "one JSON object"),
        (_line(ms_played=None), "missing field: ms_played"),
        (_line(extra=1), "unknown field: extra"),
        (_line(event_id="x" * 129), "event_id is longer than 128 characters"),
        (_line(event_id="  "), "event_id must be a non-empty string"),
        (_line(event_id=123), "event_id must be a non-empty string"),
        (_line(usage="DOWNLOAD"), "usage 'DOWNLOAD' is not one of DELIVERY, STREAM"),
        (_line(origin=3), "origin must be one of"),
        (_line(ms_played=-1), "ms_played -1 is negative"),
        (_line(ms_played=10**12), "more than 6 hours"),
        (_line(ms_played=1.5), "whole number"),
        (_line(ms_played=True), "whole number"),
        (_line(played_at="2026-11-03 18:04"), "has no time zone"),
        (_line(played_at="yesterday"), "not an ISO 8601 time"),
        (_line(played_at="2027-01-01T00:00:00Z"), "in the future"),
        (_line(territory="en-US"), "not a two-letter country code"),
        (_line(listener=""), "listener must be a non-empty string"),
    ],
)
def test_bad_lines_say_why(text: str, message: str) -> None:
    issue = _parse(text)
    assert isinstance(issue, LineIssue)
    assert message in issue.message
    assert str(issue).startswith("line 7: ")


def _event_id(line: str) -> str:
    event = _parse(line)
    assert isinstance(event, PlayEvent), event
    return event.event_id


def test_external_event_ids_map_to_one_stable_uuid() -> None:
    """Other systems send their own ids; each maps to one id, the same on every import."""
    own = "spotify:evt:000123"
    mapped = _event_id(_line(event_id=own))
    assert uuid.UUID(mapped).version == 5 and str(uuid.UUID(mapped)) == mapped
    assert _event_id(_line(event_id=own, ms_played=40_000)) == mapped  # deterministic
    assert _event_id(_line(event_id=f" {own} ")) == mapped
    assert _event_id(_line(event_id=own, platform="youtube")) != mapped  # per system
    assert _event_id(_line(event_id="x" * 128)) != _event_id(_line(event_id="x" * 127))
    v3 = "6fa459ea-ee8a-3ca4-894e-db77e160355e"
    assert _event_id(_line(event_id=v3)) not in (v3, mapped)


def test_uuid7_event_ids_are_kept_as_they_are() -> None:
    ours = new_id()
    assert _event_id(_line(event_id=ours)) == ours
    assert _event_id(_line(event_id=ours.upper())) == ours


def test_lines_outside_the_chosen_period_are_refused() -> None:
    issue = _parse(_line(played_at="2026-10-31T23:59:59Z"), Period.parse("2026-11"))
    assert isinstance(issue, LineIssue) and "outside the period 2026-11" in issue.message


def test_periods() -> None:
    period = Period.parse("2026-12")
    assert str(period.next()) == "2027-01"
    assert period.end == datetime(2027, 1, 1, tzinfo=UTC)
    for bad in ("2026-13", "26-11", "2026/11", ""):
        with pytest.raises(PeriodError, match="YYYY-MM"):
            Period.parse(bad)
