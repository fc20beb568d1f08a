"""Style packs: declarative, versioned recipes over stems, and their renderer.

A recipe (``StyleRecipe``) says what happens to each stem, which parts are
generated from the song's tempo and chords, how the tempo changes and what
the master chain is; ``render_style`` performs it on one section of a song.
``STYLE_RECIPES`` has one recipe per id of ``core.stylebook.STYLES``, and
``style_version`` is the part of the render cache key that changes whenever
a style's sound does.
"""

from engine.styles._effects import EFFECT_KINDS, build_chain
from engine.styles._generators import GENERATORS, SCORE_READERS, follows_score
from engine.styles._recipe import (
    STEM_NAMES,
    Effect,
    GeneratorSpec,
    Param,
    StyleRecipe,
    TempoMode,
    TempoSpec,
)
from engine.styles._recipes import ENGINE_VERSION, STYLE_RECIPES, style_version
from engine.styles._render import (
    PREROLL_S,
    arrangement_chords,
    following,
    preview,
    render_style,
    source_seconds,
    tempo_plan,
)

__all__ = [
    "EFFECT_KINDS",
    "ENGINE_VERSION",
    "GENERATORS",
    "PREROLL_S",
    "SCORE_READERS",
    "STEM_NAMES",
    "STYLE_RECIPES",
    "Effect",
    "GeneratorSpec",
    "Param",
    "StyleRecipe",
    "TempoMode",
    "TempoSpec",
    "arrangement_chords",
    "build_chain",
    "following",
    "follows_score",
    "preview",
    "render_style",
    "source_seconds",
    "style_version",
    "tempo_plan",
]
