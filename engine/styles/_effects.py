"""Turns effect specs (plain data) into pedalboard plugins, in one place.

Recipes stay free of pedalboard objects so they can be hashed and written to
JSON; this table is the only code that knows which plugin a kind stands for.
The parameters of an ``Effect`` are the plugin's own keyword arguments, except
``mode`` of the ladder filter, which is the name of a ``LadderFilter.Mode``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import pedalboard

from engine.styles._recipe import Effect, Param

FloatArray = npt.NDArray[np.float32]


def _ladder(**params: Param) -> pedalboard.Plugin:
    mode = getattr(pedalboard.LadderFilter.Mode, str(params.pop("mode", "LPF24")))
    numbers = {k: float(v) for k, v in params.items()}
    return pedalboard.LadderFilter(mode, **numbers)


EFFECT_KINDS: dict[str, Callable[..., pedalboard.Plugin]] = {
    "bitcrush": pedalboard.Bitcrush,
    "chorus": pedalboard.Chorus,
    "clipping": pedalboard.Clipping,
    "compressor": pedalboard.Compressor,
    "delay": pedalboard.Delay,
    "distortion": pedalboard.Distortion,
    "gain": pedalboard.Gain,
    "highpass": pedalboard.HighpassFilter,
    "highshelf": pedalboard.HighShelfFilter,
    "ladder": _ladder,
    "limiter": pedalboard.Limiter,
    "lowpass": pedalboard.LowpassFilter,
    "lowshelf": pedalboard.LowShelfFilter,
    "noise_gate": pedalboard.NoiseGate,
    "peak": pedalboard.PeakFilter,
    "phaser": pedalboard.Phaser,
    "reverb": pedalboard.Reverb,
}
"""Effect kinds a recipe may name. Resample and PitchShift are left out on
purpose: both cost more than a whole style may spend."""


def build_chain(effects: Sequence[Effect]) -> list[pedalboard.Plugin]:
    """Fresh plugins for a chain; fresh means no state leaks between renders."""
    plugins = []
    for effect in effects:
        factory = EFFECT_KINDS.get(effect.kind)
        if factory is None:
            raise ValueError(f"unknown effect kind {effect.kind!r}")
        plugins.append(factory(**effect.kwargs()))
    return plugins


def apply_chain(effects: Sequence[Effect], audio: FloatArray, sample_rate: int) -> FloatArray:
    """Run ``audio`` (channels, n) through a chain; an empty chain costs nothing."""
    out = np.ascontiguousarray(audio, dtype=np.float32)
    for plugin in build_chain(effects):
        out = np.asarray(plugin(out, sample_rate), dtype=np.float32)
    return out
