"""TOTP codes with pyotp: ``core.studio.SecondFactor`` for two-step login."""

from __future__ import annotations

from datetime import datetime

import pyotp

ISSUER = "Refrain studio"


class PyotpSecondFactor:
    def new_secret(self) -> str:
        return pyotp.random_base32()

    def uri(self, secret: str, email: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)

    def verify(self, secret: str, code: str, at: datetime) -> bool:
        if not code.isdigit() or len(code) != 6:
            return False
        try:
            return pyotp.TOTP(secret).verify(code, for_time=at, valid_window=1)
        except Exception:  # a malformed stored secret: no code is good for it
            return False
