"""A small, realistic rights world around *Golden Hour* for entitlement tests.

The base context is granted; each test changes the one thing it is about, so
a refusal can only come from the rule under test.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

from core.entitlements import DEFAULT_TIERS, Denied, EntitlementContext
from core.model import (
    ConsentRecord,
    License,
    LicenseTerms,
    OptDeclaration,
    Recording,
    ScopePolicy,
    SubjectKind,
    Transformation,
    User,
    VoiceModel,
    Work,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # a Saturday, noon UTC
TERMS_VERSION = "2026-11"
STYLE_NAMES = {
    "lofi": "Lo-fi",
    "synthwave": "Synthwave",
    "8-bit": "8-bit",
    "acoustic": "Acoustic",
    "original": "Original arrangement",
}

WORK = Work("work-golden", "Golden Hour", "T-123.456.789-5")
GOLDEN_HOUR = Recording(
    "rec-golden", WORK.id, "Golden Hour", "Mira Vale", "QZABC2600001", 184.0
)
CONSENT = ConsentRecord("ab" * 32, "voice covers of licensed catalog songs", date(2026, 1, 5))
ADA_NOVA = VoiceModel(
    "voice-ada", "Ada Nova", "party-ada", CONSENT, revoked_at=NOW - timedelta(days=3)
)
BEN_LARK = VoiceModel("voice-ben", "Ben Lark", "party-ben", CONSENT)
TERMS = LicenseTerms(
    transformations=frozenset({Transformation.COVER, Transformation.VOICE_SWAP}),
    styles=frozenset({"lofi", "synthwave"}),
    voice_models=frozenset({ADA_NOVA.id, BEN_LARK.id}),
    max_seconds_by_tier={"fan": 45},
)
LICENSE = License("lic-golden", GOLDEN_HOUR.id, 3, TERMS, NOW - timedelta(days=30))
USER = User(
    "user-alice", "console", "alice", "Alice", tier="free", country="DE",
    terms_version=TERMS_VERSION,
)
POLICY = ScopePolicy("console:testguild")


def context(**changes: Any) -> EntitlementContext:
    """The granted base request (*Golden Hour* as a 20 s lofi cover), with ``changes``."""
    base = EntitlementContext(
        user=USER,
        tier=DEFAULT_TIERS["free"],
        policy=POLICY,
        channel_id="general",
        is_moderator=False,
        recording=GOLDEN_HOUR,
        work=WORK,
        license=LICENSE,
        opt=None,
        voice_model=None,
        requested_voice=None,
        transformation=Transformation.COVER,
        style="lofi",
        seconds=20,
        territory="DE",
        user_used_seconds=0,
        pool_used_seconds=None,
        last_request_at=None,
        required_terms_version=TERMS_VERSION,
        now=NOW,
        style_names=STYLE_NAMES,
    )
    return dataclasses.replace(base, **changes)


def terms(**changes: Any) -> License:
    """The Golden Hour license with its terms changed."""
    return dataclasses.replace(LICENSE, terms=dataclasses.replace(TERMS, **changes))


def opt_in(**limits: Any) -> OptDeclaration:
    return OptDeclaration(
        SubjectKind.WORK, WORK.id, "party-indie", opted_in=True, declared_at=NOW, **limits
    )


def shown(denied: Denied) -> str:
    """What a fan reads: the message, then the hint (as the chat handler renders it)."""
    return denied.message + (f" {denied.hint}" if denied.hint else "")
