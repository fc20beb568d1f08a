"""A fan's own requests: quota, status, cancelling, and the country their licenses follow."""

from __future__ import annotations

from core.chat.common import ordinal, when
from core.chat.messages import Reply, ReplyKind
from core.model import RenderRequest, RequestState
from core.ports import Clock, Stores
from core.requests.requester import Requester
from core.requests.service import CancelRefused, RequestService, short_id
from core.stylebook import style_name


class MyRequests:
    """``quota``, ``status``, ``cancel`` and ``settings country``."""

    def __init__(self, service: RequestService, stores: Stores, clock: Clock) -> None:
        self._service = service
        self._stores = stores
        self._clock = clock

    async def quota(self, who: Requester) -> Reply:
        view = await self._service.quota(who)
        left = max(0, view.tier.seconds_per_period - view.used)
        text = (
            f"You're on the {view.tier.name} tier: {view.used} of {view.tier.seconds_per_period} "
            f"render-seconds used this {view.tier.period}, {left} s left; clips up to "
            f"{view.tier.max_clip_seconds} s. Resets {when(view.resets_at, self._clock.now())}."
        )
        if view.tier_until is not None:
            text += f" Your {view.tier.name} plan runs until {view.tier_until:%Y-%m-%d %H:%M} UTC."
        if view.member_limit is not None:
            text += (
                f" This server lets each member render {view.member_limit} s a day: "
                f"{view.member_used or 0} s used today."
            )
        if view.pool_limit is not None:
            text += f" Server pool: {view.pool_used or 0} of {view.pool_limit} s used today."
        return Reply(text, ReplyKind.INFO, ephemeral=True)

    async def status(self, who: Requester, request_id: str | None) -> Reply:
        requests = await self._service.status(who, request_id)
        if not requests:
            if request_id:
                return Reply(f"I can't find a request `{request_id}` of yours.", ReplyKind.ERROR,
                             code="REQUEST_UNKNOWN")
            return Reply("You have no requests yet. Try `cover <song> style:<style>`.",
                         ReplyKind.INFO)
        lines = [await self._status_line(r) for r in requests]
        return Reply("\n".join(lines), ReplyKind.INFO, ephemeral=True)

    async def _status_line(self, request: RenderRequest) -> str:
        recording = await self._stores.catalog.get_recording(request.recording_id)
        title = recording.title if recording else request.recording_id
        line = f"`{short_id(request.id)}` {title} ({style_name(request.style)}, {request.seconds} s): "
        line += request.state.value.lower()
        if request.state is RequestState.QUEUED:
            position = await self._service.position(request.id)
            if position:
                line += f", {ordinal(position)} in line"
        elif request.state is RequestState.RUNNING and request.stage:
            line += f", {request.stage} {request.progress}%"
        elif request.state is RequestState.FAILED and request.error:
            line += f": {request.error}"
        return line

    async def cancel(self, who: Requester, request_id: str) -> Reply:
        result = await self._service.cancel(who, request_id)
        if isinstance(result, CancelRefused):
            return Reply(result.message, ReplyKind.ERROR, code="CANCEL_REFUSED")
        return Reply(
            f"Cancelled `{short_id(result.id)}`; its {result.seconds} s went back to your quota.",
            ReplyKind.INFO,
            code="CANCELLED",
            request_id=result.id,
        )

    async def set_country(self, who: Requester, country: str | None) -> Reply:
        user = await self._service.user_for(who)
        await self._stores.users.set_country(user.id, country)
        if country is None:
            return Reply("Your country is cleared; the server's default applies.", ReplyKind.INFO)
        return Reply(f"Your country is now {country}; licenses for {country} apply to you.",
                     ReplyKind.INFO, code="COUNTRY_SET")
