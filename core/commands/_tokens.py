"""Splitting a command's arguments into words, quoted strings and ``option:`` keys.

Quotes protect grammar words inside titles (``"Stand by Me"``). People type
straight, curly, low-high, guillemet and corner quotes, so each opening quote
accepts the closers its typing traditions use. A quote only opens at the start
of a word, and a single quote only closes before a space, so apostrophes in
titles (``Don't``, ``Rockin'``) stay letters; an opening quote that never
closes is a letter too. Nothing here raises: every string has a tokenization.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from core.commands._text import fold

_DOUBLE_CLOSERS = {
    '"': '"',
    "“": "”“",
    "”": "”",
    "„": "“”",
    "«": "»",
    "»": "«»",
    "「": "」",
    "『": "』",
}
_SINGLE_CLOSERS = {"'": "'", "‘": "’‘", "’": "’", "‚": "‘’", "‹": "›", "›": "‹›"}

DOUBLE_QUOTES = frozenset("".join(_DOUBLE_CLOSERS) + "".join(_DOUBLE_CLOSERS.values()))
QUOTES = DOUBLE_QUOTES | frozenset("".join(_SINGLE_CLOSERS) + "".join(_SINGLE_CLOSERS.values()))

_KEY = re.compile(r"([^\s:" + re.escape("".join(sorted(QUOTES))) + r"]{1,20}):")


class TokenKind(enum.Enum):
    WORD = "WORD"
    QUOTED = "QUOTED"
    KEY = "KEY"  # ``style:``; ``text`` is the folded key name


@dataclass(frozen=True)
class Token:
    """One piece of the arguments.

    ``text`` is the word, the quoted content (whitespace collapsed) or the
    folded key; ``raw`` is how the token reads back when several tokens form
    one value, quotes included, so a quoted word inside a longer title keeps
    its quotes.
    """

    kind: TokenKind
    text: str
    raw: str

    @property
    def folded(self) -> str:
        return fold(self.text)

    def is_word(self, *words: str) -> bool:
        """Whether this is an unquoted word equal to one of ``words`` (case-insensitive)."""
        return self.kind is TokenKind.WORD and self.folded in words


def _closing_index(text: str, start: int) -> int | None:
    opener = text[start]
    if opener in _DOUBLE_CLOSERS:
        end = _find_any(text, _DOUBLE_CLOSERS[opener], start + 1)
        return end
    closers = _SINGLE_CLOSERS[opener]
    for index in range(start + 1, len(text)):
        ch = text[index]
        if ch in DOUBLE_QUOTES:
            return None  # single quotes never span a double-quoted value
        after = text[index + 1 : index + 2]
        if ch in closers and (not after or after.isspace() or after in ",;"):
            return index
    return None


def _find_any(text: str, chars: str, start: int) -> int | None:
    for index in range(start, len(text)):
        if text[index] in chars:
            return index
    return None


def tokenize(text: str, keys: Collection[str] = ()) -> list[Token]:
    """Split ``text``; ``keys`` are the folded option names that ``name:`` introduces."""
    tokens: list[Token] = []
    index, size = 0, len(text)
    while index < size:
        ch = text[index]
        if ch.isspace():
            index += 1
            continue
        if keys:
            key = _KEY.match(text, index)
            if key is not None and fold(key.group(1)) in keys:
                tokens.append(Token(TokenKind.KEY, fold(key.group(1)), key.group(0)))
                index = key.end()
                continue
        if ch in _DOUBLE_CLOSERS or ch in _SINGLE_CLOSERS:
            end = _closing_index(text, index)
            if end is not None:
                inner = " ".join(text[index + 1 : end].split())
                tokens.append(Token(TokenKind.QUOTED, inner, ch + inner + text[end]))
                index = end + 1
                continue
        end = index
        while end < size and not text[end].isspace():
            end += 1
        tokens.append(Token(TokenKind.WORD, text[index:end], text[index:end]))
        index = end
    return tokens


def value_text(tokens: Sequence[Token]) -> str:
    """The text of a value made of ``tokens``.

    One quoted token gives its content; otherwise the tokens read back as
    typed, minus stray quotes left at the ends by a quote that never closed
    (``cover "Golden Hour style:lofi``).
    """
    if len(tokens) == 1 and tokens[0].kind is TokenKind.QUOTED:
        return tokens[0].text
    parts = [t.raw for t in tokens]
    if parts and tokens[0].kind is TokenKind.WORD:
        parts[0] = parts[0].lstrip("".join(DOUBLE_QUOTES))
    if parts and tokens[-1].kind is TokenKind.WORD:
        parts[-1] = parts[-1].rstrip("".join(DOUBLE_QUOTES))
    return " ".join(p for p in parts if p)


_QUOTE_STYLES = (('"', '"'), ("“", "”"), ("«", "»"), ("「", "」"), ("『", "』"))


def quote(value: str) -> str:
    """``value`` in quotes that ``tokenize`` reads back as exactly ``value``.

    Picks the first quote pair whose closers do not occur in the value; a
    value holding every kind of closing quote (never seen in a real title)
    gets its double quotes turned into curly ones instead.
    """
    for opener, closer in _QUOTE_STYLES:
        if not any(ch in value for ch in _DOUBLE_CLOSERS[opener]):
            return opener + value + closer
    return '"' + value.replace('"', "”") + '"'
