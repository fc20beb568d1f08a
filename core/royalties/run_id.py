"""Allocation run ids: the hash of everything a run depends on.

Same inputs, same id — so running again is recognised and does nothing.
The inputs are the period, the pool and currency, the method and the
artist-centric switch, the rule set (its whole content, not only its
version), the event set of the period (append-only, so its size names it),
a digest of the catalog facts used (shares, bucket templates, revocations,
opt-outs) and the attempt number (how many earlier runs of the period were
reversed), which lets a corrected rerun after a reversal get a new id.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class RunInputs:
    period: str
    pool_micros: int
    currency: str
    method: str
    artist_centric: bool
    rules_version: str
    rules_digest: str
    events: int
    qualified: int
    catalog_digest: str
    attempt: int

    def canonical(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    def run_id(self) -> str:
        """32 hex digits of SHA-256 over the canonical JSON of the inputs."""
        return hashlib.sha256(self.canonical().encode()).hexdigest()[:32]


def digest(items: object) -> str:
    """SHA-256 of a JSON-able structure (sorted keys), for catalog digests."""
    text = json.dumps(items, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
