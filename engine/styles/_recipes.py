"""The style packs Refrain offers, one recipe per id of ``core.stylebook.STYLES``.

Change a recipe's sound, bump its ``version``. ``style_version`` hashes the
recipe data and ``ENGINE_VERSION`` (bump that when shared rendering code
changes what any style sounds like) into the render cache key.
"""

from __future__ import annotations

import hashlib

from core.stylebook import ORIGINAL_STYLE, STYLES
from engine.styles._recipe import Effect, GeneratorSpec, StyleRecipe, TempoMode, TempoSpec

ENGINE_VERSION = "2"

_ROOM = Effect("reverb", room_size=0.3, damping=0.6, wet_level=0.12, dry_level=0.9, width=0.8)
_HALL = Effect("reverb", room_size=0.85, damping=0.4, wet_level=0.28, dry_level=0.8, width=1.0)
_GLUE = Effect("compressor", threshold_db=-18.0, ratio=2.0, attack_ms=15.0, release_ms=150.0)

LOFI = StyleRecipe(
    id="lofi",
    version=1,
    description=STYLES["lofi"].description,
    stem_gains={"drums": 0.8, "bass": 0.9, "other": 0.9, "vocals": 1.0, "crackle": 1.0},
    chains={
        "drums": (Effect("lowpass", cutoff_frequency_hz=5000.0),),
        "vocals": (Effect("highpass", cutoff_frequency_hz=140.0),),
    },
    master_chain=(
        Effect("distortion", drive_db=6.0),
        Effect("lowpass", cutoff_frequency_hz=4200.0),
        Effect("highpass", cutoff_frequency_hz=45.0),
        # Tape wow: a fully wet, slow chorus is a gently wandering delay.
        Effect("chorus", rate_hz=0.55, depth=0.12, centre_delay_ms=4.0, feedback=0.0, mix=1.0),
        _GLUE,
    ),
    tempo=TempoSpec(TempoMode.VARISPEED, factor=0.92),
    replacements={"drums": GeneratorSpec("lofi_drums", swing=0.6)},
    layers={"crackle": GeneratorSpec("vinyl_crackle", level_db=-24.0, ticks_per_s=7.0, hiss=0.05)},
)

SYNTHWAVE = StyleRecipe(
    id="synthwave",
    version=1,
    description=STYLES["synthwave"].description,
    stem_gains={"drums": 1.0, "bass": 1.0, "other": 0.9, "vocals": 1.0, "pad": 0.5},
    chains={
        "bass": (Effect("ladder", mode="LPF24", cutoff_hz=900.0, resonance=0.3, drive=1.5),),
        "other": (
            Effect("chorus", rate_hz=0.8, depth=0.35, centre_delay_ms=8.0, feedback=0.1, mix=0.5),
        ),
        "pad": (
            Effect("lowpass", cutoff_frequency_hz=3000.0),
            Effect("chorus", rate_hz=0.4, depth=0.5, centre_delay_ms=12.0, feedback=0.0, mix=0.6),
        ),
    },
    master_chain=(Effect("peak", cutoff_frequency_hz=3500.0, gain_db=2.0, q=0.7), _GLUE),
    replacements={
        "drums": GeneratorSpec("gated_drums", gate_s=0.24),
        "bass": GeneratorSpec("saw_arp", base_midi=33),
    },
    layers={
        "pad": GeneratorSpec("pad", base_midi=48, detune_cents=12.0, attack=0.25, match="other")
    },
)

EIGHT_BIT = StyleRecipe(
    id="8-bit",
    version=1,
    description=STYLES["8-bit"].description,
    stem_gains={"drums": 0.9, "bass": 1.0, "other": 0.8, "vocals": 0.35, "lead": 1.0},
    chains={
        "vocals": (
            Effect("highpass", cutoff_frequency_hz=300.0),
            Effect("lowpass", cutoff_frequency_hz=3500.0),
        ),
        "lead": (Effect("lowpass", cutoff_frequency_hz=9000.0),),
    },
    master_chain=(
        Effect("bitcrush", bit_depth=8.0),
        Effect("lowpass", cutoff_frequency_hz=12000.0),
    ),
    replacements={
        "drums": GeneratorSpec("chip_drums"),
        "bass": GeneratorSpec("pulse_bass"),
        "other": GeneratorSpec("chip_arp", base_midi=67, level_db=-3.0),
    },
    layers={"lead": GeneratorSpec("square_lead", follow="vocals", match="vocals", duty=0.5)},
)

ACOUSTIC = StyleRecipe(
    id="acoustic",
    version=1,
    description=STYLES["acoustic"].description,
    stem_gains={"drums": 0.7, "bass": 0.9, "other": 1.0, "vocals": 1.0},
    chains={
        "bass": (Effect("lowpass", cutoff_frequency_hz=1200.0),),
        "other": (
            Effect("highpass", cutoff_frequency_hz=90.0),
            Effect("peak", cutoff_frequency_hz=2500.0, gain_db=2.0, q=0.8),
        ),
    },
    master_chain=(_ROOM, _GLUE),
    replacements={
        "drums": GeneratorSpec("soft_percussion", level_db=-4.0),
        "bass": GeneratorSpec("pluck_bass"),
        "other": GeneratorSpec("guitar_strum", spread_s=0.012),
    },
)

ORCHESTRAL_PAD = StyleRecipe(
    id="orchestral-pad",
    version=1,
    description=STYLES["orchestral-pad"].description,
    stem_gains={"drums": 0.6, "bass": 0.8, "other": 1.0, "vocals": 1.0},
    chains={
        "drums": (Effect("lowpass", cutoff_frequency_hz=2000.0),),
        "bass": (Effect("lowpass", cutoff_frequency_hz=600.0),),
        "other": (Effect("lowpass", cutoff_frequency_hz=2800.0),),
    },
    master_chain=(_HALL,),
    replacements={
        "drums": GeneratorSpec("timpani", every=2, level_db=-6.0),
        "bass": GeneratorSpec("pad", voicing="root", base_midi=36, attack=0.3, detune_cents=6.0),
        "other": GeneratorSpec("pad", voicing="chord", base_midi=48, attack=0.45, detune_cents=9.0),
    },
)

DRUM_AND_BASS = StyleRecipe(
    id="drum-and-bass",
    version=1,
    description=STYLES["drum-and-bass"].description,
    stem_gains={"drums": 1.0, "bass": 1.0, "other": 0.8, "vocals": 1.0},
    chains={
        "drums": (Effect("highpass", cutoff_frequency_hz=35.0), _GLUE),
        "bass": (Effect("ladder", mode="LPF24", cutoff_hz=700.0, resonance=0.2, drive=2.0),),
    },
    master_chain=(
        Effect("compressor", threshold_db=-16.0, ratio=3.0, attack_ms=5.0, release_ms=80.0),
    ),
    tempo=TempoSpec(TempoMode.STRETCH, target_bpm=(170.0, 175.0)),
    replacements={
        "drums": GeneratorSpec("breakbeat", level_db=2.0),
        "bass": GeneratorSpec("reese_bass", detune_cents=14.0),
    },
)

A_CAPPELLA = StyleRecipe(
    id="a-cappella",
    version=1,
    description=STYLES["a-cappella"].description,
    stem_gains={"drums": 0.0, "bass": 0.0, "other": 0.0, "vocals": 1.0},
    master_chain=(_ROOM,),
)

INSTRUMENTAL = StyleRecipe(
    id="instrumental",
    version=1,
    description=STYLES["instrumental"].description,
    stem_gains={"vocals": 0.0},
)

ORIGINAL = StyleRecipe(
    id=ORIGINAL_STYLE,
    version=1,
    description=STYLES[ORIGINAL_STYLE].description,
)

STYLE_RECIPES: dict[str, StyleRecipe] = {
    r.id: r
    for r in (
        LOFI,
        SYNTHWAVE,
        EIGHT_BIT,
        ACOUSTIC,
        ORCHESTRAL_PAD,
        DRUM_AND_BASS,
        A_CAPPELLA,
        INSTRUMENTAL,
        ORIGINAL,
    )
}


def style_version(style_id: str) -> str:
    """A stable tag of how a style sounds today, for the render cache key.

    ``<id>@<version>-<hash>``: the hash covers the recipe's canonical JSON and
    the engine version, so an edit nobody versioned still misses the cache.
    """
    recipe = STYLE_RECIPES.get(style_id)
    if recipe is None:
        raise KeyError(f"unknown style {style_id!r}")
    digest = hashlib.sha256(f"{ENGINE_VERSION}\n{recipe.to_json()}".encode()).hexdigest()
    return f"{recipe.id}@{recipe.version}-{digest[:12]}"
