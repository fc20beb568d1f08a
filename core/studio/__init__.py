"""The rights holders' studio: accounts and sessions, and what a holder does with their songs.

``Studio`` is what the web receives (through ``core.service.Refrain``): the
account use cases and the rights use cases, over a ``StudioStore`` port.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.studio._values import Holder, Invite, SessionPolicy, StudioAccount, StudioSession
from core.studio.accounts import (
    AUDIT_SCOPE,
    LOGIN_FAILED,
    SIGNED_UP,
    InviteInfo,
    NewSession,
    StudioAccounts,
    TotpSetup,
    audit_scope,
    session_hash,
)
from core.studio.clips import ClipLine, StudioClips, fan_key
from core.studio.dashboard import Dashboard, DaySeries, StudioDashboard
from core.studio.errors import NotYours, StudioError
from core.studio.invites import InviteSigner
from core.studio.ports import PasswordHasher, SecondFactor, StudioStore, UsageFacts
from core.studio.rights import Song, StudioRights, VoiceChoice
from core.studio.statements import FORMATS, PeriodTotal, StudioStatements
from core.studio.terms import (
    TermsChoice,
    parse_kinds,
    parse_seconds,
    parse_styles,
    parse_territories,
    terms_sentence,
)


@dataclass(frozen=True)
class Studio:
    """The studio's use cases, built once by the wiring."""

    accounts: StudioAccounts
    rights: StudioRights
    statements: StudioStatements
    dashboard: StudioDashboard
    clips: StudioClips


__all__ = [
    "AUDIT_SCOPE",
    "FORMATS",
    "LOGIN_FAILED",
    "SIGNED_UP",
    "ClipLine",
    "Dashboard",
    "DaySeries",
    "Holder",
    "Invite",
    "InviteInfo",
    "InviteSigner",
    "NewSession",
    "NotYours",
    "PasswordHasher",
    "PeriodTotal",
    "SecondFactor",
    "SessionPolicy",
    "Song",
    "Studio",
    "StudioAccount",
    "StudioAccounts",
    "StudioClips",
    "StudioDashboard",
    "StudioError",
    "StudioRights",
    "StudioSession",
    "StudioStatements",
    "StudioStore",
    "TermsChoice",
    "TotpSetup",
    "UsageFacts",
    "VoiceChoice",
    "audit_scope",
    "fan_key",
    "parse_kinds",
    "parse_seconds",
    "parse_styles",
    "parse_territories",
    "session_hash",
    "terms_sentence",
]
