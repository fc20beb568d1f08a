"""Text normalisation shared by search and by duplicate checks.

Users type "beyonce", "Beyoncé" and "BEYONCÉ!" for the same thing, and chat
clients add curly quotes; comparing normalised strings makes all of these
equal without a fuzzy scorer having to spend its tolerance on them.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "þ": "th"})


def normalise(text: str) -> str:
    """Lower-case, strip accents, turn punctuation into single spaces, trim.

    ``&`` becomes "and" because titles are written both ways.
    """
    folded = text.casefold().translate(_FOLD).replace("&", " and ")
    decomposed = unicodedata.normalize("NFKD", folded)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", ascii_only).strip()


def trigrams(normalised: str) -> set[str]:
    """Character trigrams of a normalised string padded with one space each side.

    The padding gives word starts and ends their own trigrams, so "gold"
    finds "golden" and one-letter-short queries still share most grams.
    """
    padded = f" {normalised} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}
