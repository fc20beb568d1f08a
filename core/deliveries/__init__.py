"""Deliveries: per-hand-over watermarked copies, usage logging, trace and takedown."""

from core.deliveries.availability import withdrawn_reason
from core.deliveries.credits import Credits, credits_for
from core.deliveries.problems import delivery_problem
from core.deliveries.service import (
    DeliveredFile,
    DeliveryService,
    NotDeliverable,
    PreparedCopy,
    ShareableClip,
    delivery_format,
    platform_of,
    share_url,
)
from core.deliveries.sharing import SharedClip, SharedCopies
from core.deliveries.takedown import UnknownClip, take_down
from core.deliveries.trace import TraceOutcome, Tracer
from core.media import MarkingKey

__all__ = [
    "Credits",
    "DeliveredFile",
    "DeliveryService",
    "MarkingKey",
    "NotDeliverable",
    "PreparedCopy",
    "ShareableClip",
    "SharedClip",
    "SharedCopies",
    "TraceOutcome",
    "Tracer",
    "UnknownClip",
    "credits_for",
    "delivery_format",
    "delivery_problem",
    "platform_of",
    "share_url",
    "take_down",
    "withdrawn_reason",
]
