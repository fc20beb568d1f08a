"""Signed links and play-beacon tokens for the web server (pure: no I/O, no clock).

Clip URLs name a *delivery* (one watermarked file) and carry an expiry and an
HMAC, so a link pasted into a chat works for a while and then stops, and
nobody can make a link to a file they were not given. Share page URLs are not
signed: share ids are unguessable and the page itself hands out fresh signed
clip links.

Beacon tokens carry the whole state of one page load's listening session,
signed, so any web process can check a beacon without shared memory: the
server answers each accepted beacon with the next token. A replayed token can
only recreate a state that already existed, and the play event id is derived
from the page load's nonce and round alone (:func:`play_event_id`), so a
replay can never store a second play (``PlayLog.append`` is idempotent).
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import math
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

CLIP_FORMATS: Final = frozenset({"opus", "mp3", "m4a"})
"""Formats a clip URL may name (``Delivery.fmt`` values)."""

_SIG_HEX = 32  # 128 bits of HMAC-SHA256: plenty against forgery, short in a URL
_MAX_TOKEN_CHARS = 1024


class LinkCheck(enum.Enum):
    OK = "ok"
    BAD = "bad"  # not signed by us (or tampered with)
    EXPIRED = "expired"  # ours, but too old


def _mac(secret: bytes, *parts: str) -> str:
    return hmac.new(secret, "|".join(parts).encode(), hashlib.sha256).hexdigest()


class LinkSigner:
    """Makes and checks the URLs and tokens the web server hands out.

    Args:
        secret: HMAC key (``settings.web.link_secret``); rotating it breaks
            every clip link and every open page's beacons, nothing else.
        public_url: base URL fans see (``https://refrain.example``), no trailing slash needed.
        ttl_s: how long a clip link works.
        expiry_step_s: expiries are rounded up to this step, so one delivery's
            clip URL stays identical for a while and browsers can cache it.
    """

    def __init__(self, secret: bytes, public_url: str, ttl_s: int, *, expiry_step_s: int = 3600) -> None:
        if not secret:
            raise ValueError("the link secret must not be empty")
        if ttl_s <= 0 or expiry_step_s <= 0:
            raise ValueError("ttl_s and expiry_step_s must be positive")
        self._secret = secret
        self.public_url = public_url.rstrip("/")
        self.ttl_s = ttl_s
        self._step = expiry_step_s

    # -- share pages --------------------------------------------------------------------
    def share_url(self, share_id: str, *, for_user_id: str | None = None) -> str:
        """The public share page of a delivery.

        ``for_user_id`` marks a link made for one known user (their own copy,
        sent to them in private), so plays from it count as that user's rather
        than as an anonymous browser's.
        """
        url = f"{self.public_url}/s/{share_id}"
        if for_user_id is not None:
            url += f"?u={self.user_marker(for_user_id)}"
        return url

    def user_marker(self, user_id: str) -> str:
        return f"{user_id}.{_mac(self._secret, 'user', user_id)[:_SIG_HEX]}"

    def user_of_marker(self, marker: str) -> str | None:
        """The user id a marker names, or ``None`` when it was not made by us."""
        user_id, dot, sig = marker.rpartition(".")
        if not dot or not user_id or len(marker) > 200:
            return None
        expected = _mac(self._secret, "user", user_id)[:_SIG_HEX]
        return user_id if hmac.compare_digest(expected, sig) else None

    # -- clip links ---------------------------------------------------------------------
    def expiry(self, now: datetime) -> int:
        """Unix time a link made ``now`` stops working (rounded up to the step)."""
        return math.ceil((now.timestamp() + self.ttl_s) / self._step) * self._step

    def clip_path(self, delivery_id: str, fmt: str, now: datetime) -> str:
        """``/c/<delivery>.<fmt>?exp=…&sig=…`` (for pages served from the same origin)."""
        exp = self.expiry(now)
        return f"/c/{delivery_id}.{fmt}?exp={exp}&sig={self._clip_sig(delivery_id, fmt, exp)}"

    def clip_url(self, delivery_id: str, fmt: str, now: datetime) -> str:
        """The signed, expiring public URL of a delivery's file."""
        return self.public_url + self.clip_path(delivery_id, fmt, now)

    def verify(self, delivery_id: str, fmt: str, exp: int | str, sig: str, now: datetime) -> bool:
        """True when the signature is ours and the link has not expired (constant-time)."""
        return self.check(delivery_id, fmt, exp, sig, now) is LinkCheck.OK

    def check(self, delivery_id: str, fmt: str, exp: int | str, sig: str, now: datetime) -> LinkCheck:
        """Like :meth:`verify`, but says whether a refused link was forged or only old."""
        text = str(exp)
        if not (text.isascii() and text.isdigit()) or len(text) > 12 or len(sig) != _SIG_HEX:
            return LinkCheck.BAD
        expires = int(text)
        expected = self._clip_sig(delivery_id, fmt, expires)
        if not hmac.compare_digest(expected, sig.lower()):
            return LinkCheck.BAD
        return LinkCheck.OK if now.timestamp() < expires else LinkCheck.EXPIRED

    def _clip_sig(self, delivery_id: str, fmt: str, exp: int) -> str:
        return _mac(self._secret, "clip", delivery_id, fmt, str(exp))[:_SIG_HEX]

    # -- beacon tokens ------------------------------------------------------------------
    def beacon_token(self, state: BeaconState) -> str:
        """The signed, opaque token the page sends back with its next beacon."""
        body = state.encode()
        sig = _mac(self._secret, "beacon", body)[:_SIG_HEX]
        return base64.urlsafe_b64encode(f"{body}~{sig}".encode()).decode().rstrip("=")

    def read_beacon_token(self, token: str) -> BeaconState | None:
        """The state in a token we signed, or ``None`` (forged, truncated, garbage)."""
        if not token or len(token) > _MAX_TOKEN_CHARS:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        body, tilde, sig = raw.rpartition("~")
        if not tilde:
            return None
        expected = _mac(self._secret, "beacon", body)[:_SIG_HEX]
        if not hmac.compare_digest(expected, sig):
            return None
        return BeaconState.decode(body)

    def play_event_id(self, state: BeaconState) -> str:
        """The play event id of a page load's listening round: a UUIDv7 from (nonce, round).

        Its time is the page load's, its random bits an HMAC of the nonce and
        round, so every replay or fork of a round's tokens names the same event.
        """
        digest = int(_mac(self._secret, "play", state.nonce, str(state.round)), 16)
        value = (state.issued_ms & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76
        value |= (digest & 0xFFF) << 64
        value |= 0b10 << 62
        value |= (digest >> 12) & ((1 << 62) - 1)
        return str(uuid.UUID(int=value))


@dataclass(frozen=True)
class BeaconState:
    """One page load's listening session, as the signed token carries it.

    ``round`` counts completed plays on this page (pressing play again after
    the end starts the next round); ``started_ms`` is the server time the
    round started (0: not started); ``ms_played`` the listening accepted so
    far; ``played_at_ms`` the client's start time as accepted by the server.
    """

    delivery_id: str
    nonce: str
    listener_key: str
    territory: str
    issued_ms: int
    round: int = 0
    seq: int = 0
    started_ms: int = 0
    ms_played: int = 0
    played_at_ms: int = 0

    @property
    def playing(self) -> bool:
        return self.started_ms > 0

    def encode(self) -> str:
        fields = (
            "1", self.delivery_id, self.nonce, self.listener_key, self.territory, self.issued_ms,
            self.round, self.seq, self.started_ms, self.ms_played, self.played_at_ms,
        )  # fmt: skip
        return "|".join(str(f) for f in fields)

    @classmethod
    def decode(cls, body: str) -> BeaconState | None:
        parts = body.split("|")
        if len(parts) != 11 or parts[0] != "1":
            return None
        try:
            numbers = [int(p) for p in parts[5:]]
        except ValueError:
            return None
        if any(n < 0 for n in numbers):
            return None
        issued, rnd, seq, started, played, played_at = numbers
        return cls(parts[1], parts[2], parts[3], parts[4], issued, rnd, seq, started, played, played_at)

    def next(
        self,
        *,
        round: int | None = None,
        started_ms: int | None = None,
        ms_played: int | None = None,
        played_at_ms: int | None = None,
    ) -> BeaconState:
        """The state after one more accepted beacon, with the given fields changed."""
        return replace(
            self,
            seq=self.seq + 1,
            round=self.round if round is None else round,
            started_ms=self.started_ms if started_ms is None else started_ms,
            ms_played=self.ms_played if ms_played is None else ms_played,
            played_at_ms=self.played_at_ms if played_at_ms is None else played_at_ms,
        )
