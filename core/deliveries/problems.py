"""What a fan reads when their clip cannot be handed over: words, never a traceback.

Every door a clip leaves by (Discord, Telegram, the console, the CLI) turns
a failed hand-over into one of two messages: the reason, when the clip may
no longer be handed out (``NotDeliverable``); otherwise an incident id to
quote, with the details in the operator's log.
"""

from __future__ import annotations

import logging

from core.deliveries.service import NotDeliverable
from core.ids import new_id

log = logging.getLogger(__name__)


def delivery_problem(exc: Exception, *, what: str = "your clip") -> str:
    """The sentence to show for ``exc`` raised while handing over ``what``."""
    if isinstance(exc, NotDeliverable):
        return exc.user_message
    incident = new_id().replace("-", "")[-8:]
    log.error("handing over %s failed (incident %s)", what, incident, exc_info=exc)
    return (
        f"I couldn't hand over {what} just now because of a problem on our side "
        f"(incident `{incident}`). It is kept: quote the incident to a moderator if it "
        "doesn't arrive."
    )
