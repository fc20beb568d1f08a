"""The recipe vocabulary: what a style does to a song, as plain versioned data.

A recipe never holds code or audio. It names effects and generators by kind
with scalar parameters, so it can be compared, hashed into the render cache
key, written to JSON for a changelog, and reviewed by someone who does not
read numpy. The renderer (``_render.py``) is the only thing that gives the
words meaning.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

Param = float | int | str | bool
"""A parameter value: scalars only, so every recipe serialises to JSON as is."""

STEM_NAMES = ("drums", "bass", "other", "vocals")
"""The stems a separated (or synthesized) recording provides, in mixing order."""


def _params(params: Mapping[str, Param]) -> tuple[tuple[str, Param], ...]:
    for name, value in params.items():
        if not isinstance(value, float | int | str | bool):
            raise TypeError(f"parameter {name!r} must be a scalar, got {type(value).__name__}")
    return tuple(sorted(params.items()))


@dataclass(frozen=True, init=False)
class Effect:
    """One audio effect, e.g. ``Effect("lowpass", cutoff_frequency_hz=4500.0)``.

    ``kind`` is a name from the effect builder's table; the parameters are the
    keyword arguments of the pedalboard plugin it stands for.
    """

    kind: str
    params: tuple[tuple[str, Param], ...]

    def __init__(self, kind: str, /, **params: Param) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "params", _params(params))

    def kwargs(self) -> dict[str, Param]:
        return dict(self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.kwargs()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Effect:
        rest = {k: v for k, v in data.items() if k != "kind"}
        return cls(str(data["kind"]), **rest)


@dataclass(frozen=True, init=False)
class GeneratorSpec:
    """A part synthesized from the song's analysis, e.g. ``GeneratorSpec("breakbeat")``.

    Common parameters understood by the renderer for every kind: ``level_db``
    (loudness relative to the part it replaces, or to ``match``), ``match`` (a
    stem whose loudness a layer follows) and ``pan`` (-1 left … 1 right).
    """

    kind: str
    params: tuple[tuple[str, Param], ...]

    def __init__(self, kind: str, /, **params: Param) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "params", _params(params))

    def kwargs(self) -> dict[str, Param]:
        return dict(self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.kwargs()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GeneratorSpec:
        rest = {k: v for k, v in data.items() if k != "kind"}
        return cls(str(data["kind"]), **rest)


class TempoMode(enum.Enum):
    KEEP = "keep"
    VARISPEED = "varispeed"  # resample like a tape: tempo and pitch move together
    STRETCH = "stretch"  # change tempo, keep pitch (Rubber Band, once, on a bus)


@dataclass(frozen=True)
class TempoSpec:
    """How a style changes the song's speed.

    ``factor`` is the playback speed for VARISPEED (0.92 = 8 % slower and
    about 1.4 semitones lower). ``target_bpm`` is the inclusive range STRETCH
    lands the tempo in, choosing whichever of the song's tempo or its double
    needs the smaller stretch.
    """

    mode: TempoMode = TempoMode.KEEP
    factor: float = 1.0
    target_bpm: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.factor <= 0:
            raise ValueError("tempo factor must be positive")
        if self.mode is TempoMode.STRETCH:
            if self.target_bpm is None or not 0 < self.target_bpm[0] <= self.target_bpm[1]:
                raise ValueError("STRETCH needs a target_bpm range (low, high)")
            object.__setattr__(
                self, "target_bpm", (float(self.target_bpm[0]), float(self.target_bpm[1]))
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode.value,
            "factor": self.factor,
            "target_bpm": list(self.target_bpm) if self.target_bpm else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TempoSpec:
        target = data.get("target_bpm")
        return cls(
            TempoMode(data["mode"]),
            float(data.get("factor", 1.0)),
            (float(target[0]), float(target[1])) if target else None,
        )


def _freeze_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@dataclass(frozen=True)
class StyleRecipe:
    """A style: gains and effect chains per part, generated parts, tempo, master.

    Parts are the four stems plus any generated part: a ``replacements`` entry
    takes a stem's place (and its gain and chain), a ``layers`` entry is added
    under its own name. A gain of 0 drops a part before any processing, which
    is also how a style saves work. Bump ``version`` whenever the sound of a
    style changes on purpose; ``style_version`` also hashes the data, so cached
    renders of an edited recipe never come back.
    """

    id: str
    version: int
    description: str
    stem_gains: Mapping[str, float] = field(default_factory=dict)
    chains: Mapping[str, tuple[Effect, ...]] = field(default_factory=dict)
    master_chain: tuple[Effect, ...] = ()
    tempo: TempoSpec = TempoSpec()
    pitch_semitones: float = 0.0
    replacements: Mapping[str, GeneratorSpec] = field(default_factory=dict)
    layers: Mapping[str, GeneratorSpec] = field(default_factory=dict)
    preview_seconds: float = 5.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "stem_gains", _freeze_mapping(self.stem_gains))
        object.__setattr__(
            self, "chains", _freeze_mapping({k: tuple(v) for k, v in self.chains.items()})
        )
        object.__setattr__(self, "master_chain", tuple(self.master_chain))
        object.__setattr__(self, "replacements", _freeze_mapping(self.replacements))
        object.__setattr__(self, "layers", _freeze_mapping(self.layers))
        unknown = set(self.replacements) - set(STEM_NAMES)
        if unknown:
            raise ValueError(f"{self.id}: replacements must name stems, not {sorted(unknown)}")
        clash = set(self.layers) & set(STEM_NAMES)
        if clash:
            raise ValueError(f"{self.id}: layers may not reuse stem names {sorted(clash)}")
        parts = set(STEM_NAMES) | set(self.layers)
        stray = (set(self.stem_gains) | set(self.chains)) - parts
        if stray:
            raise ValueError(f"{self.id}: gains or chains for unknown parts {sorted(stray)}")
        if any(g < 0 for g in self.stem_gains.values()):
            raise ValueError(f"{self.id}: gains must not be negative")

    def gain(self, part: str) -> float:
        return float(self.stem_gains.get(part, 1.0))

    @property
    def generates(self) -> bool:
        """Whether rendering needs the song's analysis (tempo, chords, key)."""
        return bool(self.replacements or self.layers) or self.tempo.mode is not TempoMode.KEEP

    @property
    def generator_kinds(self) -> list[str]:
        """The generator kind of every replacement and layer."""
        return [spec.kind for spec in (*self.replacements.values(), *self.layers.values())]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "description": self.description,
            "stem_gains": dict(sorted(self.stem_gains.items())),
            "chains": {k: [e.to_dict() for e in v] for k, v in sorted(self.chains.items())},
            "master_chain": [e.to_dict() for e in self.master_chain],
            "tempo": self.tempo.to_dict(),
            "pitch_semitones": self.pitch_semitones,
            "replacements": {k: g.to_dict() for k, g in sorted(self.replacements.items())},
            "layers": {k: g.to_dict() for k, g in sorted(self.layers.items())},
            "preview_seconds": self.preview_seconds,
        }

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, no spaces): the same recipe, the same bytes."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StyleRecipe:
        return cls(
            id=str(data["id"]),
            version=int(data["version"]),
            description=str(data["description"]),
            stem_gains={k: float(v) for k, v in data.get("stem_gains", {}).items()},
            chains={
                k: tuple(Effect.from_dict(e) for e in v) for k, v in data.get("chains", {}).items()
            },
            master_chain=tuple(Effect.from_dict(e) for e in data.get("master_chain", ())),
            tempo=TempoSpec.from_dict(data.get("tempo", {"mode": "keep"})),
            pitch_semitones=float(data.get("pitch_semitones", 0.0)),
            replacements={
                k: GeneratorSpec.from_dict(g) for k, g in data.get("replacements", {}).items()
            },
            layers={k: GeneratorSpec.from_dict(g) for k, g in data.get("layers", {}).items()},
            preview_seconds=float(data.get("preview_seconds", 5.0)),
        )
