"""The verbs of the grammar, their aliases, and "did you mean" for typos.

Typo suggestions use an edit distance with transpositions, scaled to the
word's length, so ``covr`` and ``stauts`` find their verb while a different
word (``dance``) is not forced onto one.
"""

from __future__ import annotations

import enum

from core.commands._text import fold


class Verb(enum.Enum):
    COVER = "cover"
    REMIX = "remix"
    STYLES = "styles"
    VOICES = "voices"
    QUOTA = "quota"
    STATUS = "status"
    CANCEL = "cancel"
    TRACE = "trace"
    HELP = "help"
    TERMS = "terms"
    SETTINGS = "settings"
    AUDIT = "audit"
    REPORT = "report"
    REPORTS = "reports"
    RESOLVE = "resolve"
    UPGRADE = "upgrade"


_ALIASES = {
    "style": Verb.STYLES,
    "voice": Verb.VOICES,
    "setting": Verb.SETTINGS,
    "start": Verb.HELP,  # what Telegram sends when someone opens the bot
    "commands": Verb.HELP,
    "?": Verb.HELP,
    "flag": Verb.REPORT,
    "premium": Verb.UPGRADE,
    "plans": Verb.UPGRADE,
}


def find_verb(word: str) -> Verb | None:
    """The verb ``word`` names, by its name or an alias, ignoring case and width."""
    folded = fold(word)
    try:
        return Verb(folded)
    except ValueError:
        return _ALIASES.get(folded)


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, swaps."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def closest(word: str, candidates: list[str]) -> str | None:
    """The candidate ``word`` is most likely a typo of, or ``None`` if none is close."""
    folded = fold(word)
    if not folded or len(folded) > 30:
        return None
    allowed = max(1, len(folded) // 4)
    scored = sorted((edit_distance(folded, c), c) for c in candidates)
    if scored and scored[0][0] <= allowed:
        return scored[0][1]
    return None


def verb_names() -> list[str]:
    return [v.value for v in Verb]
