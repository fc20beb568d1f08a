"""Studio accounts: sign-up, invitations, login and server-side sessions.

Every answer a visitor can see reads the same whether an account exists or
not (login failures, sign-up with a taken address, invitations accepted by
an existing account), and a failed login costs the same hash as a good one,
so neither the words nor the timing confirm an address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.ids import new_id
from core.model import AuditEntry, Party, PartyKind
from core.ports import AuditLog, CatalogRepository, Clock
from core.studio._values import Holder, Invite, SessionPolicy, StudioAccount, StudioSession
from core.studio.errors import StudioError
from core.studio.invites import InviteSigner
from core.studio.ports import PasswordHasher, SecondFactor, StudioStore

INVITE_TTL = timedelta(days=7)
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 hashes anything, but nobody should make us hash megabytes
_MAX_EMAIL = 254
_MAX_NAME = 120

LOGIN_FAILED = ("That email, password and code don't match. Check them and try again "
                "(the code only if you turned on two-step login).")
RECOVERY_CODES = 10
SIGNED_UP = ("If this address wasn't registered yet, its account is ready now. "
             "Log in with it and your password.")
AUDIT_SCOPE = "studio:"


def normalized_email(text: str) -> str:
    email = text.strip().casefold()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or len(email) > _MAX_EMAIL or any(c.isspace() for c in email):
        raise StudioError("Enter an email address like name@example.com.", "email")
    return email


def checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise StudioError(f"Use a password of at least {MIN_PASSWORD} characters.", "password")
    if len(password) > MAX_PASSWORD:
        raise StudioError(f"Use a password of at most {MAX_PASSWORD} characters.", "password")
    return password


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def audit_scope(party_id: str) -> str:
    """The audit log scope of a party's studio changes."""
    return f"{AUDIT_SCOPE}{party_id}"


@dataclass(frozen=True)
class NewSession:
    """A session just opened: ``cookie`` goes to the browser, never into the store."""

    cookie: str
    holder: Holder


@dataclass(frozen=True)
class TotpSetup:
    """A new secret to put in an authenticator app; ``proof`` lets the confirming form carry it."""

    secret: str
    uri: str
    proof: str


@dataclass(frozen=True)
class InviteInfo:
    party_name: str
    expires_at_text: str


class StudioAccounts:
    """The account use cases the web's login, sign-up and invitation pages call."""

    def __init__(
        self,
        store: StudioStore,
        catalog: CatalogRepository,
        audit: AuditLog,
        hasher: PasswordHasher,
        clock: Clock,
        signer: InviteSigner,
        second_factor: SecondFactor,
        *,
        policy: SessionPolicy | None = None,
        open_signup: bool = False,
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._audit = audit
        self._hasher = hasher
        self._clock = clock
        self._signer = signer
        self._totp = second_factor
        self.policy = policy or SessionPolicy()
        self.open_signup = open_signup
        self._dummy_hash: str | None = None

    # -- sign-up and invitations -------------------------------------------------------
    async def sign_up(self, email: str, password: str, artist_name: str) -> str:
        """Open sign-up for independents: a new account and a new party of its own.

        Returns the words to show, the same whether or not the address was taken.
        """
        if not self.open_signup:
            raise StudioError("Sign-up is by invitation on this Refrain; ask the operator for a link.")
        email = normalized_email(email)
        password = checked_password(password)
        name = _name(artist_name)
        now = self._clock.now()
        party = Party(id=f"party-{new_id()}", name=name, kind=PartyKind.ARTIST, independent=True)
        account = StudioAccount(new_id(), email, self._hasher.hash(password), frozenset({party.id}), now)
        if await self._store.create_account(account, party):
            await self._audit.append(_entry(party.id, account.id, "studio.signup",
                                            f"(none) → account for {name}", now))
        return SIGNED_UP

    async def invite(self, party_id: str, public_url: str) -> str:
        """A one-time link that lets whoever opens it join ``party_id``'s studio (7 days)."""
        if await self._catalog.get_party(party_id) is None:
            raise StudioError(
                f"no party {party_id!r} in the catalog (party ids are in the imported catalog file)",
                "party",
            )
        now = self._clock.now()
        invite = Invite(secrets.token_urlsafe(18), party_id, now, now + INVITE_TTL)
        await self._store.add_invite(invite)
        return f"{public_url.rstrip('/')}/studio/join/{self._signer.token(invite.id)}"

    async def invite_info(self, token: str) -> InviteInfo | None:
        """What an invitation page shows; None for a link that is forged, used or expired."""
        invite = await self._live_invite(token)
        if invite is None:
            return None
        party = await self._catalog.get_party(invite.party_id)
        if party is None:
            return None
        return InviteInfo(party.name, invite.expires_at.strftime("%d %B %Y"))

    async def accept_invite(self, token: str, email: str, password: str) -> str:
        """Join the invited party: a new account, or an existing one given its password.

        Returns the same words either way; the invitation is used up only when it worked.
        """
        invite = await self._live_invite(token)
        if invite is None:
            raise StudioError("This invitation link has expired or was already used.")
        email = normalized_email(email)
        password = checked_password(password)
        now = self._clock.now()
        existing = await self._store.account_by_email(email)
        if existing is None:
            account = StudioAccount(new_id(), email, self._hasher.hash(password),
                                    frozenset({invite.party_id}), now)
            if await self._store.create_account(account, None, invite_id=invite.id):
                await self._audit.append(_entry(invite.party_id, account.id, "studio.join",
                                                    "(none) → account joined by invitation", now))
        elif self._hasher.verify(existing.password_hash, password):
            if await self._store.add_membership(existing.id, invite.party_id, invite.id, now):
                await self._audit.append(_entry(invite.party_id, existing.id, "studio.join",
                                                "(none) → existing account joined by invitation", now))
        else:
            self._hasher.hash(password)  # the same cost as the other branches
        return SIGNED_UP

    async def _live_invite(self, token: str) -> Invite | None:
        invite_id = self._signer.invite_id(token)
        invite = await self._store.get_invite(invite_id) if invite_id else None
        if invite is None or invite.used_at is not None or invite.expires_at <= self._clock.now():
            return None
        return invite

    # -- login and sessions ------------------------------------------------------------
    async def log_in(
        self, email: str, password: str, replaces: str | None = None, code: str = ""
    ) -> NewSession:
        """A fresh session for good credentials; the browser's previous session id ends here.

        With two-step login on, ``code`` is the authenticator's code or an unused recovery
        code. Raises ``StudioError(LOGIN_FAILED)`` alike for an unknown address, a wrong
        password and a wrong or missing code.
        """
        try:
            email = normalized_email(email)
        except StudioError:
            raise StudioError(LOGIN_FAILED) from None
        account = await self._store.account_by_email(email)
        if account is None:
            self._hasher.verify(self._dummy(), password)
            raise StudioError(LOGIN_FAILED)
        if len(password) > MAX_PASSWORD or not self._hasher.verify(account.password_hash, password):
            raise StudioError(LOGIN_FAILED)
        if account.totp_secret is not None and not await self._second_factor(account, code):
            raise StudioError(LOGIN_FAILED)
        if replaces:
            await self._store.delete_session(session_hash(replaces))
        return await self._open(account)

    async def _second_factor(self, account: StudioAccount, code: str) -> bool:
        assert account.totp_secret is not None
        code = "".join(code.split())
        if not code or len(code) > 32:
            return False
        if code.isdigit() and self._totp.verify(account.totp_secret, code, self._clock.now()):
            return True
        return await self._store.use_recovery_code(account.id, _code_hash(code), self._clock.now())

    # -- two-step login -------------------------------------------------------------------
    def start_totp(self, holder: Holder) -> TotpSetup:
        """A fresh secret to confirm with a code; nothing is stored until it is confirmed."""
        secret = self._totp.new_secret()
        return TotpSetup(secret, self._totp.uri(secret, holder.email),
                         self._signer.mac(f"totp|{holder.account_id}", secret))

    async def enable_totp(self, holder: Holder, secret: str, proof: str, code: str) -> list[str]:
        """Turn two-step login on once a code proves the app has the secret; returns the
        recovery codes, shown this once (only their hashes are kept)."""
        expected = self._signer.mac(f"totp|{holder.account_id}", secret)
        if not secret or not hmac.compare_digest(expected, proof):
            raise StudioError("This set-up form has expired; start again.")
        if not self._totp.verify(secret, "".join(code.split()), self._clock.now()):
            raise StudioError("That code doesn't match: type the 6 digits your app shows now.", "code")
        codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
        await self._store.set_totp(holder.account_id, secret, [_code_hash(c) for c in codes])
        await self._audit_all(holder, "studio.totp", "two-step login off → on")
        return codes

    async def disable_totp(self, holder: Holder, password: str) -> None:
        account = await self._store.get_account(holder.account_id)
        if account is None or not self._hasher.verify(account.password_hash, password[:MAX_PASSWORD]):
            raise StudioError("That password doesn't match.", "password")
        await self._store.set_totp(holder.account_id, None, [])
        await self._audit_all(holder, "studio.totp", "two-step login on → off")

    async def totp_enabled(self, holder: Holder) -> bool:
        account = await self._store.get_account(holder.account_id)
        return account is not None and account.totp_secret is not None

    async def _audit_all(self, holder: Holder, action: str, detail: str) -> None:
        now = self._clock.now()
        for party_id in sorted(holder.party_ids):
            await self._audit.append(_entry(party_id, holder.account_id, action, detail, now))

    async def _open(self, account: StudioAccount) -> NewSession:
        cookie = secrets.token_urlsafe(32)
        now = self._clock.now()
        await self._store.add_session(StudioSession(session_hash(cookie), account.id, now, now))
        return NewSession(cookie, Holder(account.id, account.email, account.party_ids))

    async def holder(self, cookie: str) -> Holder | None:
        """The holder behind a session cookie while the session lives (idle and absolute limits)."""
        if not cookie or len(cookie) > 128:
            return None
        key = session_hash(cookie)
        session = await self._store.get_session(key)
        now = self._clock.now()
        if session is None:
            return None
        if not self.policy.alive(session, now):
            await self._store.delete_session(key)
            return None
        account = await self._store.get_account(session.account_id)
        if account is None:
            return None
        if now - session.last_seen_at >= self.policy.touch_every:
            await self._store.touch_session(key, now)
        return Holder(account.id, account.email, account.party_ids)

    async def log_out(self, cookie: str) -> None:
        await self._store.delete_session(session_hash(cookie))

    async def log_out_everywhere(self, holder: Holder) -> int:
        return await self._store.delete_sessions(holder.account_id)

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.casefold().encode()).hexdigest()


def _name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise StudioError("Enter the name you release music under.", "artist_name")
    if len(name) > _MAX_NAME:
        raise StudioError(f"Keep the name under {_MAX_NAME} characters.", "artist_name")
    return name


def _entry(party_id: str, account_id: str, action: str, detail: str, at: datetime) -> AuditEntry:
    return AuditEntry(new_id(), audit_scope(party_id), account_id, action, detail, at)
