"""The rights holders' studio on the web: ``/studio`` pages over ``core.studio``'s use cases."""

from web.studio.passwords import Argon2Passwords
from web.studio.routes import mount_studio, studio_routes
from web.studio.state import STUDIO, StudioWeb, studio_web
from web.studio.totp import PyotpSecondFactor

__all__ = [
    "STUDIO",
    "Argon2Passwords",
    "PyotpSecondFactor",
    "StudioWeb",
    "mount_studio",
    "studio_routes",
    "studio_web",
]
