"""What the command families share: wording helpers, the moderators-only check, the audit trail."""

from __future__ import annotations

from datetime import datetime

from core.chat.messages import Invocation, Reply, ReplyKind
from core.ids import new_id
from core.model import AuditEntry, Recording
from core.ports import AuditLog, Clock

TERMS_TEXT = (
    "Refrain makes short licensed covers for fun and sharing. By using it you agree that: "
    "clips are for personal, non-commercial sharing; every clip carries an inaudible "
    "watermark that identifies it; plays are counted (anonymously) to pay the artists and "
    "songwriters; voices are only those their owners consented to."
)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def song_label(recording: Recording) -> str:
    return f"*{recording.title}* by {recording.artist}"


def when(at: datetime, now: datetime) -> str:
    minutes = max(0, int((at - now).total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    span = f"{hours} h {minutes} min" if hours else f"{minutes} min"
    return f"in {span} ({at:%H:%M} UTC)"


def moderators_only(inv: Invocation, what: str) -> Reply | None:
    """``None`` for a moderator; for anyone else the refusal "Only moderators can <what>."."""
    if inv.is_moderator:
        return None
    return Reply(f"Only moderators can {what}.", ReplyKind.DENIED, code="NOT_MODERATOR")


class AuditTrail:
    """Appends a scope's audit entries (settings changes, reports), stamped now."""

    def __init__(self, audit: AuditLog, clock: Clock) -> None:
        self._audit = audit
        self._clock = clock

    async def append(self, scope_id: str, actor_id: str, action: str, detail: str) -> None:
        await self._audit.append(
            AuditEntry(
                id=new_id(),
                scope_id=scope_id,
                actor_user_id=actor_id,
                action=action,
                detail=detail,
                at=self._clock.now(),
            )
        )
