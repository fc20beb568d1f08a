"""Refrain's audio engine: load, separate, style, sing, master, encode, mark, trace.

Everything that touches samples lives here (numpy, scipy, torch, demucs,
pyworld, ffmpeg); the domain (``core``) decides *what* to make and reaches
the engine through ``core.ports`` (``DeliveryAudio``). The engine imports
nothing from the adapters, storage or the wiring.

The names below load their module on first use, so that importing the
engine for one stage does not pull in the heavy dependencies of another
(torch for separation, for instance). Subpackages have fronts of their own:
``engine.separation``, ``engine.styles``, ``engine.voice``, ``engine.synth``,
``engine.watermark``, ``engine.provenance``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the same names, for type checkers
    from engine.delivery_audio import DeliveryAudioEngine
    from engine.encode import EncodingError, decode_to_float, encode, read_tags
    from engine.ffmpeg import run_tool
    from engine.io import UnsupportedAudio, encode_flac_bytes, load_audio, to_stereo_44k, write_audio
    from engine.provenance import C2paSigner, load_signer, write_sidecar
    from engine.provenance.c2pa_embed import c2pa_available
    from engine.render import RenderedFile, render_key, render_master_file, render_seed
    from engine.synth import SongSpec, render_song
    from engine.voice.errors import VoiceBackendUnavailable, VoiceError

_HOMES = {
    "DeliveryAudioEngine": "engine.delivery_audio",
    "EncodingError": "engine.encode",
    "decode_to_float": "engine.encode",
    "encode": "engine.encode",
    "read_tags": "engine.encode",
    "run_tool": "engine.ffmpeg",
    "UnsupportedAudio": "engine.io",
    "encode_flac_bytes": "engine.io",
    "load_audio": "engine.io",
    "to_stereo_44k": "engine.io",
    "write_audio": "engine.io",
    "C2paSigner": "engine.provenance",
    "c2pa_available": "engine.provenance.c2pa_embed",
    "load_signer": "engine.provenance",
    "write_sidecar": "engine.provenance",
    "RenderedFile": "engine.render",
    "render_key": "engine.render",
    "render_master_file": "engine.render",
    "render_seed": "engine.render",
    "SongSpec": "engine.synth",
    "render_song": "engine.synth",
    "VoiceBackendUnavailable": "engine.voice.errors",
    "VoiceError": "engine.voice.errors",
}

__all__ = [
    "C2paSigner",
    "DeliveryAudioEngine",
    "EncodingError",
    "RenderedFile",
    "SongSpec",
    "UnsupportedAudio",
    "VoiceBackendUnavailable",
    "VoiceError",
    "c2pa_available",
    "decode_to_float",
    "encode",
    "encode_flac_bytes",
    "load_audio",
    "load_signer",
    "read_tags",
    "render_key",
    "render_master_file",
    "render_seed",
    "render_song",
    "run_tool",
    "to_stereo_44k",
    "write_audio",
    "write_sidecar",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later look-ups skip this hook
    return value
