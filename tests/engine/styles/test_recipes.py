"""Recipes are plain, versioned data covering the whole style menu."""

from __future__ import annotations

import json

import pytest

from core.stylebook import STYLES
from engine.styles import (
    EFFECT_KINDS,
    GENERATORS,
    STYLE_RECIPES,
    Effect,
    GeneratorSpec,
    StyleRecipe,
    TempoMode,
    TempoSpec,
    build_chain,
    style_version,
)


def test_one_recipe_per_style_on_the_menu() -> None:
    assert set(STYLE_RECIPES) == set(STYLES)
    assert all(r.id == sid for sid, r in STYLE_RECIPES.items())


@pytest.mark.parametrize("style_id", sorted(STYLE_RECIPES))
def test_recipe_round_trips_through_json(style_id: str) -> None:
    recipe = STYLE_RECIPES[style_id]
    text = recipe.to_json()
    again = StyleRecipe.from_dict(json.loads(text))
    assert again == recipe
    assert again.to_json() == text
    assert recipe.version >= 1


@pytest.mark.parametrize("style_id", sorted(STYLE_RECIPES))
def test_every_effect_and_generator_exists(style_id: str) -> None:
    recipe = STYLE_RECIPES[style_id]
    for chain in (recipe.master_chain, *recipe.chains.values()):
        assert all(e.kind in EFFECT_KINDS for e in chain)
        build_chain(chain)  # parameters are accepted by the plugins
    for spec in (*recipe.replacements.values(), *recipe.layers.values()):
        assert spec.kind in GENERATORS


def test_style_versions_are_stable_and_distinct() -> None:
    versions = {sid: style_version(sid) for sid in STYLE_RECIPES}
    assert versions == {sid: style_version(sid) for sid in STYLE_RECIPES}
    assert len(set(versions.values())) == len(versions)
    assert versions["lofi"].startswith("lofi@1-")
    with pytest.raises(KeyError):
        style_version("polka")


def test_recipes_are_immutable_values() -> None:
    recipe = STYLE_RECIPES["lofi"]
    with pytest.raises(TypeError):
        recipe.stem_gains["drums"] = 0.0  # type: ignore[index]
    assert Effect("lowpass", cutoff_frequency_hz=1000.0) == Effect(
        "lowpass", cutoff_frequency_hz=1000.0
    )
    assert hash(GeneratorSpec("pad", attack=0.3)) == hash(GeneratorSpec("pad", attack=0.3))


def test_recipe_rejects_what_it_cannot_mean() -> None:
    with pytest.raises(ValueError):
        StyleRecipe("x", 1, "x", replacements={"piano": GeneratorSpec("pad")})
    with pytest.raises(ValueError):
        StyleRecipe("x", 1, "x", stem_gains={"kazoo": 1.0})
    with pytest.raises(ValueError):
        StyleRecipe("x", 1, "x", layers={"drums": GeneratorSpec("pad")})
    with pytest.raises(ValueError):
        TempoSpec(TempoMode.STRETCH)
    with pytest.raises(TypeError):
        Effect("gain", gain_db=[1.0])  # type: ignore[arg-type]
