"""The studio's values: accounts, their sessions, invites and the session policy.

A studio account belongs to one or more parties of the catalog; what it may
see and change follows from those parties alone. Sessions live server-side:
the browser holds only a random id, the store keeps its sha256, so a copy of
the table opens no session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class StudioAccount:
    id: str
    email: str  # normalized: stripped, case-folded
    password_hash: str
    party_ids: frozenset[str]
    created_at: datetime
    totp_secret: str | None = None  # two-step login is on when set


@dataclass(frozen=True)
class StudioSession:
    """One logged-in browser; ``id_hash`` is the sha256 of the cookie's random id."""

    id_hash: str
    account_id: str
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class Invite:
    """A one-time invitation to join ``party_id``'s studio, until ``expires_at``."""

    id: str
    party_id: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lives: ``idle`` since its last request, ``absolute`` since login."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    touch_every: timedelta = timedelta(minutes=1)  # last_seen is written at most this often

    def alive(self, session: StudioSession, now: datetime) -> bool:
        return now - session.last_seen_at < self.idle and now - session.created_at < self.absolute


@dataclass(frozen=True)
class Holder:
    """Who is asking: the account behind a live session, and the parties it acts for."""

    account_id: str
    email: str
    party_ids: frozenset[str]
