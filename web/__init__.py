"""Refrain's web server: signed clip streaming, share pages with a player, play beacons, ops.

Public surface: :func:`create_web_app` (the aiohttp application over an open
``App``) and :func:`web_component` (``refrain serve`` runs it).
"""

from web.app import create_web_app
from web.component import web_component
from web.studio import Argon2Passwords, PyotpSecondFactor

__all__ = ["Argon2Passwords", "PyotpSecondFactor", "create_web_app", "web_component"]
