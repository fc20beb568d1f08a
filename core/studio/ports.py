"""What the studio's use cases need from the outside: a store and a password hasher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.model import AuditEntry, Clip, License, LicenseTerms, OptDeclaration, Party, Recording
from core.studio._values import Invite, StudioAccount, StudioSession


@dataclass(frozen=True)
class UsageFacts:
    """Counts over some recordings and a window of hours (``play_hour``, hours since the epoch)."""

    clips: int  # clips made of these recordings, ever
    daily: dict[tuple[int, str], int]  # (days since the epoch, usage) → plays
    style_plays: dict[str, int]
    platform_plays: dict[str, int]


class PasswordHasher(Protocol):
    """A slow, salted password hash (argon2id in production)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """True when ``password`` matches; False for a mismatch or a malformed hash."""
        ...


class SecondFactor(Protocol):
    """Time-based one-time codes (RFC 6238; pyotp in production)."""

    def new_secret(self) -> str: ...
    def uri(self, secret: str, email: str) -> str:
        """The ``otpauth://`` URI an authenticator app takes."""
        ...

    def verify(self, secret: str, code: str, at: datetime) -> bool:
        """True when ``code`` is the secret's code at ``at`` (one step either side allowed)."""
        ...


class StudioStore(Protocol):
    async def create_account(
        self, account: StudioAccount, new_party: Party | None, *, invite_id: str | None = None
    ) -> bool:
        """Store the account (and the party it founds, and the invite it uses up) in one transaction.

        Returns False, writing nothing, when the email is taken or the invite already used.
        """
        ...

    async def account_by_email(self, email: str) -> StudioAccount | None: ...
    async def get_account(self, account_id: str) -> StudioAccount | None: ...
    async def add_membership(self, account_id: str, party_id: str, invite_id: str, at: datetime) -> bool:
        """Add the party to the account and use up the invite, atomically.

        False (nothing written) when the invite was used meanwhile.
        """
        ...

    async def set_totp(self, account_id: str, secret: str | None, recovery_hashes: list[str]) -> None:
        """Turn two-step login on (with its recovery codes' hashes) or off (``None``), atomically."""
        ...

    async def use_recovery_code(self, account_id: str, code_hash: str, at: datetime) -> bool:
        """Use up one recovery code; False when it is not the account's or was used."""
        ...

    async def add_session(self, session: StudioSession) -> None: ...
    async def get_session(self, id_hash: str) -> StudioSession | None: ...
    async def touch_session(self, id_hash: str, at: datetime) -> None: ...
    async def delete_session(self, id_hash: str) -> None: ...
    async def delete_sessions(self, account_id: str) -> int:
        """End every session of the account; returns how many there were."""
        ...

    async def add_invite(self, invite: Invite) -> None: ...
    async def get_invite(self, invite_id: str) -> Invite | None: ...
    async def recordings_of(self, party_ids: frozenset[str]) -> list[Recording]:
        """Recordings whose recording or work the parties hold a share of, by title."""
        ...

    async def parties_holding(self, recording_id: str) -> frozenset[str]:
        """Parties with a share of the recording or of its work (empty for an unknown id)."""
        ...

    async def usage(
        self, party_ids: frozenset[str], recording_id: str | None, first_hour: int, end_hour: int
    ) -> UsageFacts:
        """Clips made of one recording (or of every recording the parties hold a share of),
        and their plays in ``[first_hour, end_hour)``."""
        ...

    async def earnings(
        self, party_ids: frozenset[str], since_period: str
    ) -> list[tuple[str, str, bool, int]]:
        """(party id, period, closed?, net micro-units) of the parties' ledger legs from
        ``since_period`` (YYYY-MM) on: what their statements of those periods add up to."""
        ...

    async def party_names(self, party_ids: frozenset[str]) -> dict[str, str]: ...

    async def clips_of(self, party_ids: frozenset[str], limit: int) -> list[tuple[Clip, str]]:
        """The newest clips of the recordings the parties hold a share of, with the song's title."""
        ...

    async def change_opt(self, declaration: OptDeclaration, audit: AuditEntry) -> None:
        """Record an opt-in/out declaration and its audit entry in one transaction."""
        ...

    async def change_terms(
        self, recording_id: str, terms: LicenseTerms, audit: AuditEntry, at: datetime
    ) -> License:
        """Append a license version and its audit entry in one transaction."""
        ...

    async def audit_of(self, party_ids: frozenset[str], limit: int = 100) -> list[AuditEntry]:
        """The studio audit entries of these parties, newest first."""
        ...
