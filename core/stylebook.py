"""The styles Refrain offers, by id, with the words users see.

This is the menu, not the recipes: the render pipeline attaches a versioned
recipe to each id. Licenses and moderators allow or forbid styles by these ids.
"""

from __future__ import annotations

from dataclasses import dataclass

ORIGINAL_STYLE = "original"
"""Keeps the arrangement as it is; used by voice covers that ask for no style."""


@dataclass(frozen=True)
class StyleInfo:
    id: str
    name: str
    description: str


STYLES: dict[str, StyleInfo] = {
    s.id: s
    for s in (
        StyleInfo("lofi", "Lo-fi", "dusty drums, warm tape wobble and vinyl crackle, slowed a touch"),
        StyleInfo("synthwave", "Synthwave", "gated drums, analog-style bass arpeggios and wide 80s pads"),
        StyleInfo("8-bit", "8-bit", "chiptune square leads, noise drums and a pulse bass"),
        StyleInfo("acoustic", "Acoustic", "plucked guitar-like chords, soft percussion, natural room"),
        StyleInfo("orchestral-pad", "Orchestral pad", "string-like pads and swells under the melody"),
        StyleInfo("drum-and-bass", "Drum & bass", "fast breakbeat at 170+ BPM with a rolling sub bass"),
        StyleInfo("a-cappella", "A cappella", "the voice alone, with a little room"),
        StyleInfo("instrumental", "Instrumental (karaoke)", "everything but the lead vocal"),
        StyleInfo(ORIGINAL_STYLE, "Original arrangement", "the song as recorded (voice covers)"),
    )
}


def style_name(style_id: str) -> str:
    """Display name of a style id, or the id itself when it is not on the menu."""
    info = STYLES.get(style_id)
    return info.name if info else style_id


def selectable_styles() -> list[str]:
    """Style ids a user can ask for by name (``original`` is implied by voice covers)."""
    return [s for s in STYLES if s != ORIGINAL_STYLE]
