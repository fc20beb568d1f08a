"""Takedown: withdraw a clip everywhere at once, on the record.

After it, ``withdrawn_reason`` stops every door (share links answer 410, the
bots refuse to re-send), the clip's server audit log says who and why, and
the requester is told the next time they talk to Refrain (and at once by a
running bot, through the job events).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import UserFacing
from core.ids import new_id
from core.model import AuditEntry, Takedown
from core.notices import notify
from core.ports import Clock, Stores

TAKEDOWN_ACTION = "takedown"


@dataclass(frozen=True)
class TakedownOutcome:
    clip_id: str
    new: bool  # False: it was already down (the first takedown stands)
    requester_id: str
    message: str


class UnknownClip(UserFacing, LookupError):
    def __init__(self, clip_id: str) -> None:
        super().__init__(f"There is no clip {clip_id}.")
        self.user_message = str(self)


async def take_down(
    stores: Stores, clock: Clock, clip_id: str, *, why: str, actor_user_id: str
) -> TakedownOutcome:
    why = " ".join(why.split())
    if not why:
        raise ValueError("Say why the clip is taken down (--why …): it goes on the record.")
    clip = await stores.clips.get(clip_id)
    if clip is None:
        raise UnknownClip(clip_id)
    now = clock.now()
    new = await stores.deliveries.add_takedown(Takedown(clip.id, why, actor_user_id, now))
    if not new:
        existing = await stores.deliveries.takedown_of(clip.id)
        since = f" on {existing.at:%Y-%m-%d}" if existing else ""
        return TakedownOutcome(
            clip.id, False, clip.requester_id, f"Clip {clip.id} was already taken down{since}."
        )
    request = await stores.requests.get(clip.request_id)
    scope = request.scope_id if request else "global"
    await stores.audit.append(
        AuditEntry(
            id=new_id(),
            scope_id=scope,
            actor_user_id=actor_user_id,
            action=TAKEDOWN_ACTION,
            detail=f"clip {clip.id} ({clip.recording_id}, {clip.style}) taken down: {why}",
            at=now,
        )
    )
    recording = await stores.catalog.get_recording(clip.recording_id)
    title = recording.title if recording else "your clip"
    await notify(
        stores.audit,
        clock,
        clip.requester_id,
        f"📣 Your {clip.style} cover of *{title}* (clip {clip.id[-8:]}) was taken down: {why}. "
        "Its links no longer play and it will not be sent again.",
        actor_user_id,
    )
    deliveries = await stores.deliveries.for_clip(clip.id)
    return TakedownOutcome(
        clip.id,
        True,
        clip.requester_id,
        f"Clip {clip.id} is taken down: {len(deliveries)} delivered cop"
        f"{'y' if len(deliveries) == 1 else 'ies'} stop playing and will not be sent again.",
    )
