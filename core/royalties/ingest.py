"""Play events from outside: validating one JSONL line of `refrain plays import`.

One JSON object per line with ``event_id, clip_id, usage, listener, platform,
origin, ms_played, played_at, territory`` (``delivery_id`` optional); the
``event_id`` is Refrain's own UUIDv7 or the sending system's id (mapped, see
:func:`parse_event_id`). A bad line never stops the file: it becomes a
``LineIssue`` with its line number and the reason in words, and the good
lines are kept. The listener's
platform id is turned into a listener key here (HMAC, ``core.listeners``),
so the raw id is never stored or logged.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.errors import UserFacing
from core.listeners import listener_key
from core.model import Origin, PlayEvent, UsageType
from core.royalties.periods import Period
from core.royalties.rules import RuleSet

REQUIRED = (
    "event_id",
    "clip_id",
    "usage",
    "listener",
    "platform",
    "origin",
    "ms_played",
    "played_at",
    "territory",
)
OPTIONAL = ("delivery_id",)
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class LineIssue:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class BadEvent(UserFacing, ValueError):
    """One field of one event is unusable; the message says which and why."""


MAX_EVENT_ID_CHARS = 128
EXTERNAL_EVENT_IDS = uuid.UUID("cd1a8b24-7ae6-55a1-9dd5-99027a6c839d")
"""Namespace of the UUIDv5 ids external event ids map to; fixed forever, or re-imports
would store every play again."""


def parse_event_id(value: object, platform: str) -> str:
    """The play's idempotency key: a UUIDv7 as is, any other id mapped to a stable UUID.

    Streaming services and other bots send their own event ids (any string up
    to :data:`MAX_EVENT_ID_CHARS`); each maps to a UUIDv5 of the platform and
    the id, so importing a file again finds the same events, and one id used
    by two platforms names two plays.
    """
    if not isinstance(value, str) or not value.strip():
        raise BadEvent("event_id must be a non-empty string")
    text = value.strip()
    if len(text) > MAX_EVENT_ID_CHARS:
        raise BadEvent(f"event_id is longer than {MAX_EVENT_ID_CHARS} characters")
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        parsed = None
    if parsed is not None and parsed.version == 7:
        return str(parsed)
    return str(uuid.uuid5(EXTERNAL_EVENT_IDS, f"{platform}\x1f{text}"))


def parse_territory(value: object) -> str:
    """An ISO 3166 country code or ``WW``; a language locale is never taken for a country."""
    if not isinstance(value, str):
        raise BadEvent("territory must be a two-letter country code or WW")
    code = value.strip().upper()
    if not _COUNTRY.match(code):
        raise BadEvent(
            f"territory {value[:20]!r} is not a two-letter country code (e.g. DE) or WW"
        )
    return code


def parse_time(value: object, name: str) -> datetime:
    if not isinstance(value, str):
        raise BadEvent(f"{name} must be an ISO 8601 time with a zone, e.g. 2026-11-03T18:04:05Z")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadEvent(f"{name} {value[:40]!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise BadEvent(f"{name} {value} has no time zone; add Z for UTC")
    return moment


def _text(data: dict[str, Any], name: str, limit: int) -> str:
    value = data[name]
    if not isinstance(value, str) or not value.strip():
        raise BadEvent(f"{name} must be a non-empty string")
    if len(value) > limit:
        raise BadEvent(f"{name} is longer than {limit} characters")
    return value.strip()


def _enum(data: dict[str, Any], name: str, kind: type[UsageType] | type[Origin]) -> Any:
    value = data[name]
    names = ", ".join(m.value for m in kind)
    if not isinstance(value, str):
        raise BadEvent(f"{name} must be one of {names}")
    try:
        return kind(value.strip().upper())
    except ValueError:
        raise BadEvent(f"{name} {value[:20]!r} is not one of {names}") from None


def parse_ms(value: object, rules: RuleSet) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadEvent("ms_played must be a whole number of milliseconds")
    if value < 0:
        raise BadEvent(f"ms_played {value} is negative")
    if value > rules.max_ms_played:
        raise BadEvent(f"ms_played {value} is more than {rules.max_ms_played // 3_600_000} hours")
    return value


def event_from_json(
    data: object,
    *,
    secret: bytes,
    received_at: datetime,
    rules: RuleSet,
    period: Period | None = None,
) -> PlayEvent:
    """A ``PlayEvent`` from one decoded JSON object, or ``BadEvent`` saying what is wrong."""
    if not isinstance(data, dict):
        raise BadEvent("each line must be one JSON object")
    missing = [name for name in REQUIRED if name not in data]
    if missing:
        raise BadEvent(f"missing field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    unknown = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise BadEvent(f"unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}")
    played_at = parse_time(data["played_at"], "played_at")
    if played_at > received_at + timedelta(milliseconds=rules.max_clock_skew_ms):
        raise BadEvent(f"played_at {data['played_at']} is in the future")
    if period is not None and not period.contains(played_at):
        raise BadEvent(f"played_at {data['played_at']} is outside the period {period}")
    platform = _text(data, "platform", 32)
    delivery = data.get("delivery_id")
    if delivery is not None and (not isinstance(delivery, str) or len(delivery) > 64):
        raise BadEvent("delivery_id must be a string of at most 64 characters")
    return PlayEvent(
        event_id=parse_event_id(data["event_id"], platform),
        clip_id=_text(data, "clip_id", 64),
        delivery_id=delivery,
        usage=_enum(data, "usage", UsageType),
        listener_key=listener_key(secret, platform, _text(data, "listener", 256)),
        platform=platform,
        origin=_enum(data, "origin", Origin),
        ms_played=parse_ms(data["ms_played"], rules),
        territory=parse_territory(data["territory"]),
        played_at=played_at,
        received_at=received_at,
    )


def parse_line(
    text: str,
    line: int,
    *,
    secret: bytes,
    received_at: datetime,
    rules: RuleSet,
    period: Period | None = None,
) -> PlayEvent | LineIssue | None:
    """One line of a JSONL file: an event, the issue with it, or ``None`` for a blank line."""
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except ValueError as error:
        reason = getattr(error, "msg", None) or str(error)
        return LineIssue(line, f"not valid JSON ({reason})")
    try:
        return event_from_json(
            data, secret=secret, received_at=received_at, rules=rules, period=period
        )
    except BadEvent as error:
        return LineIssue(line, str(error))
