"""Invitation links: an invite id and an HMAC of it, so only links we made are accepted.

The signature keeps guessed or edited links from reaching the store; the
store's ``used_at`` makes each link work once; ``expires_at`` ends it after
seven days either way.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_SIG_HEX = 32
_TOKEN = re.compile(r"([A-Za-z0-9_-]{16,64})\.([0-9a-f]{32})")


class InviteSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sig(self, invite_id: str) -> str:
        mac = hmac.new(self._secret, f"studio-invite|{invite_id}".encode(), hashlib.sha256)
        return mac.hexdigest()[:_SIG_HEX]

    def mac(self, purpose: str, text: str) -> str:
        """An HMAC of ``text`` for ``purpose`` (e.g. a TOTP secret shown before it is confirmed)."""
        return hmac.new(self._secret, f"{purpose}|{text}".encode(), hashlib.sha256).hexdigest()

    def token(self, invite_id: str) -> str:
        return f"{invite_id}.{self._sig(invite_id)}"

    def invite_id(self, token: str) -> str | None:
        """The invite id a token names, when we signed it; None otherwise."""
        found = _TOKEN.fullmatch(token)
        if found is None or not hmac.compare_digest(found.group(2), self._sig(found.group(1))):
            return None
        return found.group(1)
