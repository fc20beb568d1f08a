"""Domain values -> plain JSON data, for exports people can read and keep."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import date, datetime
from fractions import Fraction
from typing import Any


def json_ready(value: Any) -> Any:
    """``value`` as dicts, lists, strings and numbers.

    Dataclasses become dicts, enums their values, times ISO text, sets sorted
    lists and fractions ``"n/d"`` (exact, unlike a JSON number).
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_ready(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, Mapping):
        return {str(json_ready(k)): json_ready(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(json_ready(v) for v in value)
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value
