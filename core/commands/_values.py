"""Readers for the small typed values inside commands: lengths, ids, countries, mentions.

Each returns the value or ``None``; the grammar that calls it knows which
command it is reading and words the error with an example to type.
"""

from __future__ import annotations

import re

from core.commands._countries import COMMON_MISTAKES, COUNTRY_CODES
from core.commands._settings import ChannelRef, RefKind, UserRef
from core.commands._text import fold

_UNIT_S = r"(?:s|sec|secs|second|seconds)"
_UNIT_M = r"(?:m|min|mins|minute|minutes)"
_UNIT_H = r"(?:h|hr|hrs|hour|hours)"
_N = r"([0-9]{1,7})"
_SPELLED = re.compile(rf"(?=[0-9])(?:{_N}{_UNIT_H})?(?:{_N}{_UNIT_M})?(?:{_N}{_UNIT_S}?)?")
_CLOCK = re.compile(r"(?:([0-9]{1,3}):)?([0-9]{1,4}):([0-5][0-9])")

CLEAR_WORDS = frozenset({"clear", "none", "off", "reset", "unset", "default"})

_REQUEST_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,63}")
_USER_MENTION = re.compile(r"<@!?([0-9]{1,25})>")
_USER_NAME = re.compile(r"@([\w.]{1,32})")
_CHANNEL_MENTION = re.compile(r"<#(-?[0-9]{1,25})>")
_CHANNEL_ID = re.compile(r"-?[0-9]{1,25}")
_CHANNEL_NAME = re.compile(r"#?([\w-]{1,100})")


def parse_length(text: str) -> int | None:
    """Seconds from ``30``, ``30s``, ``30 seconds``, ``1:30``, ``1m30s``, ``2 min``, ``1h``.

    ``None`` when the text is not a whole, non-negative duration; ranges are
    the caller's business because a clip, a cooldown and a pool differ.
    """
    compact = "".join(fold(text).split())
    clock = _CLOCK.fullmatch(compact)
    if clock is not None:
        hours, minutes, seconds = clock.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    spelled = _SPELLED.fullmatch(compact)
    if spelled is None or not compact:
        return None
    hours, minutes, seconds = (int(g) if g else 0 for g in spelled.groups())
    return hours * 3600 + minutes * 60 + seconds


def parse_count(text: str, most: int) -> int | None:
    """A whole number from 1 to ``most`` ("how many to show"), or None."""
    compact = fold(text).strip()
    count = int(compact) if compact.isascii() and compact.isdigit() and len(compact) < 6 else 0
    return count if 1 <= count <= most else None


def parse_request_id(text: str) -> str | None:
    """A request id as typed, without the ``#`` or backticks it is often quoted with."""
    candidate = text.strip().strip("`").lstrip("#").strip()
    return candidate if _REQUEST_ID.fullmatch(candidate) else None


def parse_country(text: str) -> str | None:
    """The upper-case ISO 3166-1 alpha-2 code ``text`` spells, if it is an assigned one."""
    code = fold(text.strip()).upper()
    return code if code in COUNTRY_CODES else None


def country_hint(text: str) -> str | None:
    """The right code for a well-known wrong one (``UK`` → ``GB``)."""
    return COMMON_MISTAKES.get(fold(text.strip()).upper())


def parse_user(text: str) -> UserRef | None:
    """``<@123>``, ``<@!123>`` or ``123`` (an id), or ``@name``."""
    mention = _USER_MENTION.fullmatch(text)
    if mention is not None:
        return UserRef(RefKind.ID, mention.group(1))
    if text.isascii() and text.isdigit() and len(text) <= 25:
        return UserRef(RefKind.ID, text)
    name = _USER_NAME.fullmatch(text)
    if name is not None:
        return UserRef(RefKind.NAME, name.group(1))
    return None


def parse_channel(text: str) -> ChannelRef | None:
    """``<#123>`` or ``123`` (an id; Telegram chat ids may be negative), ``#name`` or ``name``."""
    mention = _CHANNEL_MENTION.fullmatch(text)
    if mention is not None:
        return ChannelRef(RefKind.ID, mention.group(1))
    if _CHANNEL_ID.fullmatch(text):
        return ChannelRef(RefKind.ID, text)
    name = _CHANNEL_NAME.fullmatch(text)
    if name is None:
        return None
    if _CHANNEL_ID.fullmatch(name.group(1)):
        return ChannelRef(RefKind.ID, name.group(1))  # "#123" is an id typed like a name
    return ChannelRef(RefKind.NAME, name.group(1))
