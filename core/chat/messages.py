"""The neutral message model every platform adapter translates to and from.

Discord interactions, Telegram updates and console lines all become an
``Invocation``; the handler answers with ``Reply`` values that each adapter
renders its own way (embeds, inline keyboards, plain text).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.model import Origin


@dataclass(frozen=True)
class Invocation:
    """One user message or interaction, whatever the platform.

    ``message_id`` is the platform's id of the message or interaction: it is
    the idempotency key, so a platform retry never creates a second request.
    """

    platform: str
    message_id: str
    user_id: str
    user_name: str
    scope_id: str
    text: str
    channel_id: str | None = None
    is_moderator: bool = False
    roles: frozenset[str] = frozenset()
    locale: str | None = None
    attachment: Path | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)
    origin: Origin = Origin.COMMAND  # typed, or pressed (a button on an earlier clip)


class ReplyKind(enum.Enum):
    INFO = "INFO"
    QUEUED = "QUEUED"
    DENIED = "DENIED"
    ERROR = "ERROR"
    QUESTION = "QUESTION"  # Refrain needs one more detail (a style, which song)
    PROGRESS = "PROGRESS"
    AUDIO = "AUDIO"


@dataclass(frozen=True)
class Button:
    """An action a user can take with one tap; ``command`` is what it runs."""

    label: str
    command: str


UPGRADE_COMMAND = "upgrade"
"""What an upgrade button runs: the plans (and, where the platform sells them, a way to pay)."""


@dataclass(frozen=True)
class Reply:
    """What Refrain says back. ``code`` is the machine-readable reason (deny or error code)."""

    text: str
    kind: ReplyKind = ReplyKind.INFO
    code: str | None = None
    request_id: str | None = None
    audio_path: Path | None = None
    buttons: tuple[Button, ...] = ()
    ephemeral: bool = False
    offers_upgrade: bool = False  # a higher tier would help: adapters add their own buy button
