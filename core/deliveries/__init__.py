"""Deliveries: per-hand-over watermarked copies, usage logging, trace and takedown."""

from core.deliveries.availability import withdrawn_reason
from core.deliveries.credits import Credits, credits_for
from core.deliveries.marking import MarkingKey
from core.deliveries.service import (
    DeliveredFile,
    DeliveryService,
    NotDeliverable,
    ShareableClip,
    share_url,
)
from core.deliveries.trace import TraceOutcome, Tracer

__all__ = [
    "Credits",
    "DeliveredFile",
    "DeliveryService",
    "MarkingKey",
    "NotDeliverable",
    "ShareableClip",
    "TraceOutcome",
    "Tracer",
    "credits_for",
    "share_url",
    "withdrawn_reason",
]
