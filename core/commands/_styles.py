"""Style names as people type them, mapped to the canonical style ids.

Licenses and moderators allow styles by id (``core.stylebook``); users say
"lo-fi", "Lo Fi", "chiptune" or "dnb". Matching ignores case, spaces and
punctuation. An unknown name is not an error here: it is kept as typed so
the use case can answer with the styles the song's license allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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


MAX_STYLE_WORDS = 4
"""Longest style name in words worth trying; "drum and bass" has three."""


@dataclass(frozen=True)
class StyleIndex:
    """Aliases keyed by their squashed form, built once per message rather than per lookup."""

    names: Mapping[str, str]

    @classmethod
    def of(cls, aliases: Mapping[str, str]) -> StyleIndex:
        """The index of ``aliases``; the defaults' index is built once, at import."""
        return _DEFAULT_INDEX if aliases is DEFAULT_STYLE_ALIASES else _build(aliases)

    def lookup(self, text: str) -> str | None:
        """The style id ``text`` names, or ``None`` when it names none."""
        return self.names.get(squash(text)) if text else None

    def canonical(self, text: str) -> str:
        """The style id for what a user typed; an unknown name comes back as typed, tidied."""
        tidy = " ".join(text.split())
        return self.lookup(tidy) or tidy


def _build(aliases: Mapping[str, str]) -> StyleIndex:
    # Canonical ids name themselves; an explicit alias wins over that.
    names = {squash(style_id): style_id for style_id in aliases.values()}
    names.update((squash(alias), style_id) for alias, style_id in aliases.items())
    names.pop("", None)
    return StyleIndex(MappingProxyType(names))


_DEFAULT_INDEX = _build(DEFAULT_STYLE_ALIASES)


def lookup_style(text: str, aliases: Mapping[str, str] = DEFAULT_STYLE_ALIASES) -> str | None:
    """The style id ``text`` names among ``aliases``, or ``None``."""
    return StyleIndex.of(aliases).lookup(text)


def canonical_style(text: str, aliases: Mapping[str, str] = DEFAULT_STYLE_ALIASES) -> str:
    """The style id for what a user typed; an unknown name comes back as typed, tidied."""
    return StyleIndex.of(aliases).canonical(text)
