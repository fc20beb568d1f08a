"""Who is asking, and where: the one value every request use case starts from.

A leaf module (it imports only values), so the submit snapshot, the choices
and the service can all use it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.commands import without_bidi_controls
from core.model import Origin


@dataclass(frozen=True)
class Requester:
    """Who is asking, where: the parts of an invocation the use cases need."""

    platform: str
    platform_user_id: str
    display_name: str
    scope_id: str
    channel_id: str | None
    message_id: str
    is_moderator: bool = False
    origin: Origin = Origin.COMMAND  # a command, or a button on an earlier clip
    delivery_format: str | None = None  # "opus", "mp3", "m4a"; None: the platform's usual
    country: str | None = None
    """A territory for this request alone (the CLI's ``--country``); else the user's own."""
    country_how: str = "settings country"
    """How this asker sets a country, quoted in a territory refusal (the CLI: ``--country``)."""

    def __post_init__(self) -> None:
        # Display names are stored and shown to moderators (reports, audit, bans);
        # platforms let users put bidi controls in them.
        object.__setattr__(self, "display_name", without_bidi_controls(self.display_name))
