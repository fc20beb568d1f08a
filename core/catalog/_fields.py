"""Reading typed fields out of loosely typed catalog rows, collecting every problem.

Both catalog formats end up as mappings of strings to TOML-ish values. The
reader never raises: a bad field becomes an ``ImportIssue`` on the row's line
and ``None``, so one pass reports everything that is wrong with a file.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from fractions import Fraction
from typing import TypeVar

from core.catalog.errors import ImportIssue
from core.catalog.identifiers import InvalidIdentifier
from core.model import WORLDWIDE

T = TypeVar("T")

_TERRITORY = re.compile(r"[A-Z]{2}")
_FRACTION = re.compile(r"\s*(\d+\s*/\s*\d+|\d+(\.\d+)?|\.\d+)\s*")


class Row:
    """One table entry (TOML) or line (CSV) and the issues found in it."""

    def __init__(
        self, data: Mapping[str, object], line: int, issues: list[ImportIssue], what: str
    ) -> None:
        self.data = data
        self.line = line
        self.issues = issues
        self.what = what

    def error(self, message: str) -> None:
        self.issues.append(ImportIssue(self.line, f"{self.what}: {message}"))

    def has(self, key: str) -> bool:
        value = self.data.get(key)
        return value is not None and value != ""

    def reject_unknown(self, allowed: set[str]) -> None:
        """Typos like ``fracton`` would otherwise silently drop a value."""
        for key in sorted(set(self.data) - allowed):
            self.error(f"unknown field '{key}' (expected one of: {', '.join(sorted(allowed))})")

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            self.error(f"'{key}' is missing")
            return None
        if not isinstance(value, str):
            self.error(f"'{key}' must be text, not {value!r}")
            return None
        return value.strip()

    def optional_text(self, key: str) -> str | None:
        return self.text(key) if self.has(key) else None

    def identifier(self, key: str, check: Callable[[str], str]) -> str | None:
        raw = self.text(key)
        if raw is None:
            return None
        try:
            return check(raw)
        except InvalidIdentifier as exc:
            self.error(str(exc))
            return None

    def boolean(self, key: str, default: bool | None) -> bool | None:
        value = self.data.get(key)
        if value is None or value == "":
            if default is None:
                self.error(f"'{key}' is missing (true or false)")
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no"):
            return value.strip().lower() in ("true", "yes")
        self.error(f"'{key}' must be true or false, not {value!r}")
        return None

    def positive_number(self, key: str) -> float | None:
        value = self.data.get(key)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = float(value)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            self.error(f"'{key}' must be a positive number of seconds, not {value!r}")
            return None
        return float(value)

    def fraction(self, key: str) -> Fraction | None:
        """An exact fraction from "1/2", "0.5" or 1; floats are read by their decimal text."""
        value = self.data.get(key)
        if isinstance(value, bool) or value is None:
            self.error(f'\'{key}\' is missing (write it like "1/2" or "0.5")')
            return None
        text = repr(value) if isinstance(value, float) else str(value)
        if not _FRACTION.fullmatch(text):
            self.error(f'\'{key}\' must be a fraction like "1/2" or "0.5", not {value!r}')
            return None
        try:
            result = Fraction(text.replace(" ", ""))
        except ZeroDivisionError:
            self.error(f"'{key}' divides by zero: {value!r}")
            return None
        if not 0 <= result <= 1:
            self.error(f"'{key}' must be between 0 and 1, not {value}")
            return None
        return result

    def str_list(self, key: str) -> list[str] | None:
        """A list of strings; CSV cells use ``|`` between items."""
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return [item.strip() for item in value.split("|") if item.strip()]
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return [item.strip() for item in value]
        self.error(f"'{key}' must be a list of text values")
        return None

    def enums(self, key: str, parse: Callable[[str], T], kind: str) -> frozenset[T] | None:
        items = self.str_list(key)
        if items is None:
            return None
        result: set[T] = set()
        for item in items:
            try:
                result.add(parse(item.upper()))
            except ValueError:
                self.error(f"'{key}' has an unknown {kind} '{item}'")
        return frozenset(result)

    def territories(self, key: str) -> frozenset[str] | None:
        items = self.str_list(key)
        if items is None:
            return None
        codes = {item.upper() for item in items}
        for code in sorted(codes):
            if code != WORLDWIDE and not _TERRITORY.fullmatch(code):
                self.error(f"'{key}' has '{code}', which is not a 2-letter country code or WW")
        if not codes:
            self.error(f"'{key}' is empty; use [\"WW\"] for everywhere")
        return frozenset(codes)

    def territory(self, key: str) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            return WORLDWIDE
        code = str(value).strip().upper()
        if code != WORLDWIDE and not _TERRITORY.fullmatch(code):
            self.error(f"'{key}' must be a 2-letter country code or WW, not {value!r}")
        return code

    def day(self, key: str) -> date | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.error(f"'{key}' must be a date like 2024-01-31, not {value!r}")
        return None

    def moment(self, key: str) -> datetime | None:
        """A timezone-aware UTC datetime; dates mean midnight UTC, naive times are UTC."""
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                self.error(f"'{key}' must be a date or date-time, not {value!r}")
                return None
        if isinstance(value, datetime):
            aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
            return aware.astimezone(UTC)
        if isinstance(value, date):
            return datetime.combine(value, time(0), tzinfo=UTC)
        self.error(f"'{key}' must be a date or date-time, not {value!r}")
        return None

    def table(self, key: str) -> Mapping[str, object] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.error(f"'{key}' must be a table like {{ free = 30 }}")
            return None
        return value
