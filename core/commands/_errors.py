"""Why a message could not be read, as a value the adapters can render.

Parse errors are returned, never raised: every platform shows them the same
way (message, then what to type instead), and ``code`` lets tests and metrics
tell them apart without matching on wording.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ErrorCode(enum.Enum):
    """What went wrong while reading a message; each comes with a fix to type."""

    EMPTY = "EMPTY"
    TOO_LONG = "TOO_LONG"
    BAD_CHARACTERS = "BAD_CHARACTERS"  # NUL and other control characters, lone surrogates
    UNKNOWN_VERB = "UNKNOWN_VERB"
    UNEXPECTED_ARGUMENTS = "UNEXPECTED_ARGUMENTS"  # `quota now`, `terms maybe`
    MISSING_SONG = "MISSING_SONG"
    MISSING_VALUE = "MISSING_VALUE"  # `style:` or `by` with nothing after it
    DUPLICATE_OPTION = "DUPLICATE_OPTION"
    CONFLICTING_OPTIONS = "CONFLICTING_OPTIONS"  # a remix with a voice
    BAD_LENGTH = "BAD_LENGTH"
    MISSING_ID = "MISSING_ID"
    BAD_ID = "BAD_ID"
    BAD_COUNTRY = "BAD_COUNTRY"
    UNKNOWN_SETTING = "UNKNOWN_SETTING"
    BAD_SETTING_VALUE = "BAD_SETTING_VALUE"
    BAD_NUMBER = "BAD_NUMBER"


@dataclass(frozen=True)
class ParseError:
    """A message Refrain could not turn into a command.

    ``message`` says what is wrong in the user's own terms; ``suggestion`` is
    what to type instead (with a concrete example), or ``None`` when the
    message already says it.
    """

    code: ErrorCode
    message: str
    suggestion: str | None = None
