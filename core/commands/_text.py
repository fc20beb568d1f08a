"""Input hygiene: what a message must look like before the grammar reads it.

Chat platforms deliver anything a client can send, including pasted binary
and invisible characters; this module turns that into clean NFC text, or an
error a person can act on. ``fold`` is how keywords are compared: full-width
and other compatibility forms count (``ＣＯＶＥＲ``), case does not.
"""

from __future__ import annotations

import unicodedata

from core.commands._errors import ErrorCode, ParseError

MAX_CHARS = 500
"""Longest message the grammar reads; a real command is far shorter."""

_ALLOWED_CONTROLS = frozenset("\t\n\r")
# Zero-width marks that copy-paste from the web leaves in titles; they are
# invisible, so a user could never tell why "Golden Hour" did not match.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
# Bidirectional controls (embeddings, overrides, isolates, LRM/RLM, ALM): echoed
# back in a reply, U+202E makes the rest of the line read right to left, so a
# moderator reads a report or a name other than the one typed ("Trojan source").
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e"
                                        "\u2066\u2067\u2068\u2069\u200e\u200f\u061c"))
_REMOVED = _INVISIBLE | _BIDI_CONTROLS

EXAMPLE = "cover Golden Hour style:lofi"
"""The example command errors point to when they have nothing better."""


def fold(text: str) -> str:
    """Comparison form of a keyword: NFKC, case-folded (stable when applied twice)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def squash(text: str) -> str:
    """``fold`` without separators or punctuation: "Lo-Fi", "lo fi" and "LOFI" compare equal."""
    folded = fold(text).replace("&", "and")
    return "".join(ch for ch in folded if ch.isalnum())


def without_bidi_controls(text: str) -> str:
    """``text`` without the characters that reorder how the text around them is shown.

    Everything users type reaches replies through here: commands via
    ``clean_text``, display names via ``Requester``.
    """
    return text.translate(_BIDI_CONTROLS)


def _unreadable(ch: str) -> bool:
    if ch in _ALLOWED_CONTROLS:
        return False
    # Cc: C0, DEL and C1 controls; Cs: lone surrogates from a bad decode.
    return unicodedata.category(ch) in ("Cc", "Cs")


def clean_text(text: str) -> str | ParseError:
    """The message as NFC text with invisible marks and bidi controls removed, or why it
    can't be read."""
    if not isinstance(text, str):
        return ParseError(
            ErrorCode.BAD_CHARACTERS,
            "I can only read text messages.",
            f"Type a command, e.g. `{EXAMPLE}`.",
        )
    stripped = text.strip()
    if len(stripped) > MAX_CHARS:
        return ParseError(
            ErrorCode.TOO_LONG,
            f"That message is too long ({len(stripped)} characters); keep it under {MAX_CHARS}.",
            f"A command is one line, e.g. `{EXAMPLE}`.",
        )
    if any(_unreadable(ch) for ch in stripped):
        return ParseError(
            ErrorCode.BAD_CHARACTERS,
            "That message contains control characters (such as NUL) that I can't read.",
            f"Type the command as plain text, e.g. `{EXAMPLE}`.",
        )
    cleaned = unicodedata.normalize("NFC", stripped.translate(_REMOVED)).strip()
    if not cleaned:
        return ParseError(
            ErrorCode.EMPTY,
            "I didn't get a command.",
            f"Type `help` to see them all, or try `{EXAMPLE}`.",
        )
    return cleaned


def shorten(text: str, limit: int = 40) -> str:
    """Echo user text in a reply without letting it take the reply over."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
