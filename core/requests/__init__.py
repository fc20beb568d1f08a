"""Render requests: who asks (``Requester``), submitting and following them
(``RequestService``), what may be picked (``Choices``), asking again from a clip
(``RemakeRule``) and the recovery sweep that keeps the queue in step with them."""

from core.requests.choices import Choices, SongChoice
from core.requests.recovery import RecoverySweep, SweepReport, SweepSettings
from core.requests.remake import RemakeRule, Remakes
from core.requests.requester import Requester
from core.requests.service import (
    CancelRefused,
    NeedsStyle,
    Queued,
    QuotaView,
    RequestDetails,
    RequestService,
    SongAmbiguous,
    SongUnknown,
    StyleUnknown,
    SubmitOutcome,
    Unavailable,
    latest_declaration,
    short_id,
)

__all__ = [
    "CancelRefused",
    "Choices",
    "NeedsStyle",
    "Queued",
    "QuotaView",
    "RecoverySweep",
    "RemakeRule",
    "Remakes",
    "RequestDetails",
    "RequestService",
    "Requester",
    "SongAmbiguous",
    "SongChoice",
    "SongUnknown",
    "StyleUnknown",
    "SubmitOutcome",
    "SweepReport",
    "SweepSettings",
    "Unavailable",
    "latest_declaration",
    "short_id",
]
