"""The cover and remix grammar.

``cover <song> [by <artist>] [in the style of <style> | style:<style>]
[in the voice of <voice> | voice:<voice>] [length:<seconds>]`` — options in
any order after the song, written as words or as Discord's ``name:value``.

How words that could belong to a title are read:

* ``by`` separates the artist only when unquoted, not first, and the last
  such ``by``: ``cover Stand by Me by Ben E. King`` is *Stand by Me*. When
  it did split an unquoted title, ``unsplit`` keeps the whole text so the
  catalog can still find ``cover Stand by Me`` (which reads "Me" as artist).
  Quoting the title (``cover "Stand by Me"``) or ``artist:`` avoids guessing.
* ``as`` introduces a style only when no style is given otherwise, it is the
  last unquoted ``as`` of its part, something comes before it, and what
  follows names a known style: ``cover Golden Hour as lofi`` is lofi, while
  ``cover Same as Ever`` and ``cover As It Was`` stay titles.
* A value runs to the next option, so ``style:drum and bass`` is one style.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from core.commands._commands import MAX_CLIP_SECONDS, CoverCommand
from core.commands._errors import ErrorCode, ParseError
from core.commands._styles import StyleIndex
from core.commands._text import shorten
from core.commands._tokens import Token, TokenKind, quote, tokenize, value_text
from core.commands._values import parse_length
from core.model import Transformation


class _Slot(enum.Enum):
    SONG = "song"
    ARTIST = "artist"
    STYLE = "style"
    VOICE = "voice"
    LENGTH = "length"
    TAKE = "take"


MAX_TAKE = 99  # "regenerate" asks for the next take: a new seed, a new render

KEY_SLOTS = {
    "song": _Slot.SONG,
    "title": _Slot.SONG,
    "artist": _Slot.ARTIST,
    "by": _Slot.ARTIST,
    "style": _Slot.STYLE,
    "voice": _Slot.VOICE,
    "length": _Slot.LENGTH,
    "len": _Slot.LENGTH,
    "duration": _Slot.LENGTH,
    "take": _Slot.TAKE,
}
"""``name:`` options a cover accepts, as Discord slash options or typed."""

_PHRASES = (
    (("in", "the", "style", "of"), _Slot.STYLE),
    (("in", "the", "voice", "of"), _Slot.VOICE),
    (("with", "the", "voice", "of"), _Slot.VOICE),
)


@dataclass(frozen=True)
class _Marker:
    """Where an option starts (``start``) and its value starts (``end``), and how it was written."""

    start: int
    end: int
    slot: _Slot
    label: str


@dataclass(frozen=True)
class _Part:
    marker: _Marker | None  # None for the song written first, without ``song:``
    tokens: tuple[Token, ...]


def _phrase_at(tokens: Sequence[Token], index: int) -> tuple[int, _Slot] | None:
    for words, slot in _PHRASES:
        window = tokens[index : index + len(words)]
        if len(window) == len(words) and all(
            t.is_word(w) for t, w in zip(window, words, strict=True)
        ):
            return len(words), slot
    return None


def _markers(tokens: Sequence[Token]) -> list[_Marker]:
    found: list[_Marker] = []
    by_words: list[int] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind is TokenKind.KEY:
            found.append(_Marker(index, index + 1, KEY_SLOTS[token.text], f"{token.text}:"))
            index += 1
            continue
        phrase = _phrase_at(tokens, index)
        if phrase is not None:
            size, slot = phrase
            label = " ".join(t.folded for t in tokens[index : index + size])
            found.append(_Marker(index, index + size, slot, label))
            index += size
            continue
        if token.is_word("by") and index > 0 and not (found and found[-1].end == index):
            by_words.append(index)
        index += 1
    if by_words and not any(m.slot is _Slot.ARTIST for m in found):
        last = by_words[-1]
        found.append(_Marker(last, last + 1, _Slot.ARTIST, "by"))
        found.sort(key=lambda m: m.start)
    return found


def _describe(marker: _Marker | None) -> str:
    return "before the options" if marker is None else f"as `{marker.label}`"


def _parts(tokens: Sequence[Token], verb: str) -> dict[_Slot, _Part] | ParseError:
    markers = _markers(tokens)
    parts: dict[_Slot, _Part] = {}
    head = tuple(tokens[: markers[0].start] if markers else tokens)
    if head:
        parts[_Slot.SONG] = _Part(None, head)
    for number, marker in enumerate(markers):
        end = markers[number + 1].start if number + 1 < len(markers) else len(tokens)
        earlier = parts.get(marker.slot)
        if earlier is not None:
            if earlier.marker is not None and earlier.marker.label == marker.label:
                message = f"You gave `{marker.label}` twice."
            else:
                message = (
                    f"You gave the {marker.slot.value} twice ({_describe(earlier.marker)} "
                    f"and {_describe(marker)})."
                )
            song = value_text(head) if head else "Golden Hour"
            return ParseError(
                ErrorCode.DUPLICATE_OPTION,
                message,
                f"Keep one, e.g. `{verb} {quote(shorten(song))} {_SLOT_EXAMPLES[marker.slot]}`.",
            )
        parts[marker.slot] = _Part(marker, tuple(tokens[marker.end : end]))
    return parts


_SLOT_EXAMPLES = {
    _Slot.SONG: 'song:"Golden Hour"',
    _Slot.ARTIST: "by Mira Vale",
    _Slot.STYLE: "style:lofi",
    _Slot.VOICE: 'voice:"Ada Nova"',
    _Slot.LENGTH: "length:30",
    _Slot.TAKE: "take:2",
}


_NOUNS = {
    _Slot.SONG: "a song",
    _Slot.ARTIST: "an artist",
    _Slot.STYLE: "a style",
    _Slot.VOICE: "a voice",
    _Slot.LENGTH: "a length",
    _Slot.TAKE: "a take number",
}


def _split_as(parts: dict[_Slot, _Part], styles: StyleIndex) -> None:
    """Read ``<song> as <known style>`` as a style (see the module docstring)."""
    best: tuple[int, _Slot, int] | None = None
    for slot in (_Slot.SONG, _Slot.ARTIST, _Slot.VOICE):
        part = parts.get(slot)
        if part is None:
            continue
        base = part.marker.end if part.marker else 0
        for index in range(len(part.tokens) - 1, 0, -1):
            if part.tokens[index].is_word("as"):
                tail = part.tokens[index + 1 :]
                names_style = bool(tail) and styles.lookup(value_text(tail)) is not None
                if names_style and (best is None or base + index > best[0]):
                    best = (base + index, slot, index)
                break
    if best is None:
        return
    position, slot, index = best
    part = parts[slot]
    parts[slot] = _Part(part.marker, part.tokens[:index])
    parts[_Slot.STYLE] = _Part(
        _Marker(position, position + 1, _Slot.STYLE, "as"), part.tokens[index + 1 :]
    )


def _seconds(text: str, example: str) -> int | ParseError:
    seconds = parse_length(text)
    if seconds is None and text.lstrip().startswith("-") and parse_length(text.lstrip()[1:]):
        message = f"A clip can't be negative (“{shorten(text, 20)}”)."
    elif seconds is None:
        message = f"I can't read “{shorten(text, 20)}” as a length in seconds."
    elif seconds < 1:
        message = "A clip needs at least 1 second."
    elif seconds > MAX_CLIP_SECONDS:
        message = f"Clips can be at most {MAX_CLIP_SECONDS} seconds; you asked for {seconds}."
    else:
        return seconds
    return ParseError(
        ErrorCode.BAD_LENGTH,
        message,
        f"Give whole seconds from 1 to {MAX_CLIP_SECONDS}, e.g. `{example} length:30`, "
        f"`length:30s` or `length:1:30`.",
    )


def parse_cover(verb: str, arguments: str, styles: StyleIndex) -> CoverCommand | ParseError:
    """Read the arguments of ``cover`` or ``remix`` (``verb``) into a ``CoverCommand``."""
    parts = _parts(tokenize(arguments, KEY_SLOTS), verb)
    if isinstance(parts, ParseError):
        return parts
    song_part = parts.get(_Slot.SONG)
    song = value_text(song_part.tokens) if song_part else ""
    example = f"{verb} {quote(shorten(song))}" if song else f"{verb} Golden Hour"
    if not song:
        return ParseError(
            ErrorCode.MISSING_SONG,
            f"Which song should I {verb}?",
            f"Put the title first, e.g. `{verb} Golden Hour style:lofi`; "
            "`styles` lists the styles.",
        )
    if _Slot.STYLE not in parts:
        _split_as(parts, styles)
    text: dict[_Slot, str] = {}
    for slot, part in parts.items():
        text[slot] = value_text(part.tokens)
        if not text[slot] and part.marker is not None:
            return ParseError(
                ErrorCode.MISSING_VALUE,
                f"`{part.marker.label}` needs {_NOUNS[slot]} after it.",
                f"For example `{example} {_SLOT_EXAMPLES[slot]}`.",
            )
    song = text[_Slot.SONG]
    seconds = None
    if _Slot.LENGTH in text:
        read = _seconds(text[_Slot.LENGTH], example)
        if isinstance(read, ParseError):
            return read
        seconds = read
    take = 1
    if _Slot.TAKE in text:
        raw = text[_Slot.TAKE].strip()
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_TAKE:
            return ParseError(
                ErrorCode.BAD_NUMBER,
                f"A take is a number from 1 to {MAX_TAKE}; “{shorten(raw, 20)}” isn't one.",
                f"For example `{example} take:2` for a second version of the same cover.",
            )
        take = int(raw)
    voice = text.get(_Slot.VOICE)
    if verb == "remix" and voice is not None:
        return ParseError(
            ErrorCode.CONFLICTING_OPTIONS,
            "A remix keeps the original singer, so it can't take a voice.",
            f"For another voice, ask for a cover: `cover {quote(shorten(song))} "
            f"voice:{quote(shorten(voice))}`.",
        )
    if verb == "remix":
        transformation = Transformation.REMIX
    else:
        transformation = Transformation.VOICE_SWAP if voice else Transformation.COVER
    artist = text.get(_Slot.ARTIST)
    artist_part = parts.get(_Slot.ARTIST)
    by_word = (
        artist_part is not None
        and artist_part.marker is not None
        and (artist_part.marker.label == "by")
    )
    song_tokens = parts[_Slot.SONG].tokens
    unsplit = (
        f"{song} by {artist}"
        if by_word and all(t.kind is TokenKind.WORD for t in song_tokens)
        else None
    )
    style = text.get(_Slot.STYLE)
    return CoverCommand(
        song=song,
        artist=artist,
        style=styles.canonical(style) if style is not None else None,
        voice=voice,
        seconds=seconds,
        transformation=transformation,
        unsplit=unsplit,
        take=take,
    )
