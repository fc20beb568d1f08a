"""``trace``: which delivery is this file? Exact hash first, then the watermark.

Answers are for people: moderators and rights holders get the full record
(clip, delivery, requester, license, when, how sure); a fan only learns
whether the file is a genuine licensed Refrain clip. A token is only
believed when its CRC holds *and* it names a delivery we made — a false
accusation is worse than a miss. Bad files never raise: they get a message.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from core.deliveries.credits import credits_for
from core.media import MarkingKey, Scan, UnreadableAudio
from core.model import Clip, Delivery
from core.ports import DeliveryAudio, Stores

log = logging.getLogger(__name__)

MAX_TRACE_BYTES = 100 * 1024 * 1024
NOT_FOUND = (
    "No Refrain watermark found: this is not a clip Refrain delivered "
    "(or it was altered beyond recognition)."
)


@dataclass(frozen=True)
class TraceOutcome:
    found: bool
    message: str
    clip_id: str | None = None
    delivery_id: str | None = None
    method: str | None = None  # "exact" (sha256) or "watermark"
    confidence: float | None = None


class Tracer:
    def __init__(
        self,
        stores: Stores,
        executor: Executor | None,
        keys: Sequence[MarkingKey],
        audio: DeliveryAudio,
        *,
        max_bytes: int = MAX_TRACE_BYTES,
        timeout_s: float = 120.0,
    ) -> None:
        self._stores = stores
        self._executor = executor
        self._keys = list(keys)
        self._audio = audio
        self._max_bytes = max_bytes
        self._timeout_s = timeout_s

    async def locate(self, path: Path) -> TraceOutcome:
        """The delivery a file comes from, with no words for a viewer (``takedown`` uses it)."""
        return await self.trace(path, viewer_user_id="", full_record=True)

    async def trace(self, path: Path, *, viewer_user_id: str, full_record: bool) -> TraceOutcome:
        problem = _file_problem(path, self._max_bytes)
        if problem is not None:
            return TraceOutcome(False, problem)
        loop = asyncio.get_running_loop()
        digest = await loop.run_in_executor(None, _sha256, path)
        delivery = await self._stores.deliveries.by_sha256(digest)
        if delivery is not None:
            return await self._answer(delivery, "exact", 1.0, full_record)
        try:
            scan = await asyncio.wait_for(
                loop.run_in_executor(self._executor, self._audio.scan, path, self._keys),
                self._timeout_s,
            )
        except UnreadableAudio as exc:
            return TraceOutcome(False, f"I could not read that as audio: {exc.user_message}.")
        except TimeoutError:
            return TraceOutcome(False, "Tracing that file took too long; try a shorter excerpt.")
        except Exception:  # a decoder crash must not take the bot down
            log.exception("trace of %s failed", path.name)
            return TraceOutcome(False, "I could not read that file as audio.")
        found = scan.mark
        if found is None:
            return TraceOutcome(False, _not_found(scan))
        delivery = await self._stores.deliveries.by_token(found.token)
        if delivery is None or delivery.key_id != found.key_id:
            log.warning("watermark token with a valid CRC but no delivery (key %s)", found.key_id)
            return TraceOutcome(False, NOT_FOUND)
        return await self._answer(delivery, "watermark", found.confidence, full_record)

    async def _answer(
        self, delivery: Delivery, method: str, confidence: float, full_record: bool
    ) -> TraceOutcome:
        clip = await self._stores.clips.get(delivery.clip_id)
        if clip is None:
            return TraceOutcome(False, NOT_FOUND)
        credits = await credits_for(clip, self._stores.catalog)
        how = "an exact copy" if method == "exact" else f"watermark, {confidence:.0%} sure"
        if not full_record:
            message = (
                f"✅ Genuine licensed Refrain clip: *{credits.title}* "
                f"({clip.created_at:%Y-%m-%d}; {how})."
            )
        else:
            message = await self._full_record(clip, delivery, credits.title, how)
        return TraceOutcome(True, message, clip.id, delivery.id, method, confidence)

    async def _full_record(self, clip: Clip, delivery: Delivery, title: str, how: str) -> str:
        requester = await self._stores.users.get(clip.requester_id)
        recipient = await self._stores.users.get(delivery.recipient_user_id)
        takedown = await self._stores.deliveries.takedown_of(clip.id)
        lines = [
            f"✅ Refrain clip *{title}* ({how})",
            f"clip {clip.id} · {clip.transformation.value.lower()} · style {clip.style}"
            + (f" · voice {clip.voice_model_id}" if clip.voice_model_id else ""),
            f"made for {_who(requester, clip.requester_id)} on {clip.created_at:%Y-%m-%d %H:%M} UTC",
            f"license {clip.license_id} v{clip.license_version} · recording {clip.recording_id}",
            f"this copy: delivery {delivery.id} to {_who(recipient, delivery.recipient_user_id)} "
            f"on {delivery.platform}, {delivery.created_at:%Y-%m-%d %H:%M} UTC "
            f"({delivery.origin.value.lower()})",
        ]
        if takedown is not None:
            lines.append(f"taken down {takedown.at:%Y-%m-%d}: {takedown.why}")
        return "\n".join(lines)


def _not_found(scan: Scan) -> str:
    """No mark: say so, and say why when the copy lost the band the mark lives in."""
    if scan.band_kept >= 1.0:
        return NOT_FOUND
    khz = f"{scan.sample_rate / 1000:g} kHz"
    quality = f"telephone quality ({khz})" if scan.sample_rate <= 8_000 else f"a {khz} sample rate"
    lost = "most" if scan.band_kept < 0.5 else "part"
    return (
        f"This copy was cut down to {quality}, which removes {lost} of the watermark; "
        "I could not identify it. A copy at a higher quality may still be traced."
    )


def _who(user: object, fallback: str) -> str:
    name = getattr(user, "display_name", None)
    platform = getattr(user, "platform", None)
    return f"{name} ({platform}, {fallback})" if name else fallback


def _file_problem(path: Path, max_bytes: int) -> str | None:
    try:
        size = path.stat().st_size
    except OSError:
        return "I could not open that file."
    if not path.is_file():
        return "That is not a file."
    if size == 0:
        return "That file is empty."
    if size > max_bytes:
        return f"That file is too big to trace ({size / 1e6:.0f} MB; the limit is {max_bytes / 1e6:.0f} MB)."
    return None


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()
