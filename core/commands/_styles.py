"""Style names as people type them, mapped to the canonical style ids.

Licenses and moderators allow styles by id (``core.stylebook``); users say
"lo-fi", "Lo Fi", "chiptune" or "dnb". Matching ignores case, spaces and
punctuation. An unknown name is not an error here: it is kept as typed so
the use case can answer with the styles the song's license allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from core.commands._text import squash

DEFAULT_STYLE_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "lofi": "lofi",
        "lo-fi": "lofi",
        "lo fi": "lofi",
        "chill": "lofi",
        "chillhop": "lofi",
        "synthwave": "synthwave",
        "retrowave": "synthwave",
        "outrun": "synthwave",
        "80s": "synthwave",
        "8-bit": "8-bit",
        "8bit": "8-bit",
        "8 bit": "8-bit",
        "chiptune": "8-bit",
        "chip": "8-bit",
        "acoustic": "acoustic",
        "unplugged": "acoustic",
        "orchestral-pad": "orchestral-pad",
        "orchestral": "orchestral-pad",
        "orchestra": "orchestral-pad",
        "strings": "orchestral-pad",
        "drum-and-bass": "drum-and-bass",
        "drum and bass": "drum-and-bass",
        "drum & bass": "drum-and-bass",
        "drum n bass": "drum-and-bass",
        "drum'n'bass": "drum-and-bass",
        "dnb": "drum-and-bass",
        "d&b": "drum-and-bass",
        "jungle": "drum-and-bass",
        "a-cappella": "a-cappella",
        "a cappella": "a-cappella",
        "acapella": "a-cappella",
        "a capella": "a-cappella",
        "acappella": "a-cappella",
        "vocals only": "a-cappella",
        "instrumental": "instrumental",
        "karaoke": "instrumental",
        "no vocals": "instrumental",
    }
)
"""Alias → style id for the styles Refrain ships (``core.stylebook``)."""


def _index(aliases: Mapping[str, str]) -> dict[str, str]:
    # Canonical ids name themselves; an explicit alias wins over that.
    index = {squash(style_id): style_id for style_id in aliases.values()}
    index.update((squash(alias), style_id) for alias, style_id in aliases.items())
    index.pop("", None)
    return index


def lookup_style(text: str, aliases: Mapping[str, str]) -> str | None:
    """The style id ``text`` names, or ``None`` when it names none of ``aliases``."""
    key = squash(text)
    if not key:
        return None
    return _index(aliases).get(key)


def canonical_style(text: str, aliases: Mapping[str, str] = DEFAULT_STYLE_ALIASES) -> str:
    """The style id for what a user typed; an unknown name comes back as typed, tidied."""
    tidy = " ".join(text.split())
    return lookup_style(tidy, aliases) or tidy
