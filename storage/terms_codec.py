"""License terms <-> JSON, canonically.

Terms are stored as one JSON document per license version. The encoding is
canonical (sets sorted, fractions always ``"n/d"``, times in UTC ISO form) so
that two equal ``LicenseTerms`` encode to equal documents: that is how a
catalog re-import recognises unchanged terms and appends no new version.
Fractions are strings because JSON numbers are floats and royalties are exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from core.model import LicenseTerms, RightType, Transformation


def fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _sorted(values: Iterable[str]) -> list[str]:
    return sorted(values)


def _time_text(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).astimezone(UTC)


def encode_terms(terms: LicenseTerms) -> dict[str, Any]:
    """A JSON-ready, canonical document for ``terms``."""
    return {
        "transformations": _sorted(t.value for t in terms.transformations),
        "styles": None if terms.styles is None else _sorted(terms.styles),
        "voice_models": _sorted(terms.voice_models),
        "max_seconds_by_tier": dict(sorted(terms.max_seconds_by_tier.items())),
        "territories": _sorted(terms.territories),
        "valid_from": _time_text(terms.valid_from),
        "valid_to": _time_text(terms.valid_to),
        "bucket_templates": {
            transformation.value: {
                right.value: fraction_text(share)
                for right, share in sorted(buckets.items(), key=lambda kv: kv[0].value)
            }
            for transformation, buckets in sorted(
                terms.bucket_templates.items(), key=lambda kv: kv[0].value
            )
        },
    }


def decode_terms(data: dict[str, Any]) -> LicenseTerms:
    """The ``LicenseTerms`` a document from ``encode_terms`` describes."""
    styles = data.get("styles")
    return LicenseTerms(
        transformations=frozenset(Transformation(t) for t in data["transformations"]),
        styles=None if styles is None else frozenset(styles),
        voice_models=frozenset(data.get("voice_models", ())),
        max_seconds_by_tier={k: int(v) for k, v in data.get("max_seconds_by_tier", {}).items()},
        territories=frozenset(data.get("territories", ("WW",))),
        valid_from=_time(data.get("valid_from")),
        valid_to=_time(data.get("valid_to")),
        bucket_templates={
            Transformation(kind): {RightType(r): Fraction(f) for r, f in buckets.items()}
            for kind, buckets in data.get("bucket_templates", {}).items()
        },
    )
