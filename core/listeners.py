"""Listener keys: who listened, without storing who they are.

A play event stores ``HMAC-SHA256(secret, "<platform>:<id>")`` instead of a
platform user id or a web cookie id, so caps and user-centric allocation can
group plays by listener while the database (and any export of it) holds no
raw identifier. The secret is ``settings.listener_key_secret``.
"""

from __future__ import annotations

import hashlib
import hmac


def listener_key(secret: bytes, platform: str, identifier: str) -> str:
    """The stable, non-reversible key of one listener on one platform (64 hex digits)."""
    message = f"{platform}:{identifier}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()
