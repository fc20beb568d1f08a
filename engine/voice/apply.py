"""The one call the renderer makes: swap the lead vocal of a stem set for a consented voice."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from engine.voice.converter import VoiceConverter
from engine.voice.errors import VoiceError
from engine.voice.profile import VoiceProfile

VOCALS = "vocals"


def apply_voice(
    stems: dict[str, npt.NDArray[np.float32]],
    sr: int,
    profile: VoiceProfile,
    *,
    key_shift_semitones: float = 0.0,
    converter: VoiceConverter | None = None,
) -> dict[str, npt.NDArray[np.float32]]:
    """A new stem dict whose ``"vocals"`` is sung by ``profile``'s voice; the others untouched.

    The converted vocal has exactly the input's shape (channels, samples), so
    it lines up with the instrumental to the sample. ``converter`` defaults to
    the ``world`` backend.

    Raises:
        VoiceError: no vocals stem, or a sample rate the profile was not learnt at.
    """
    if VOCALS not in stems:
        raise VoiceError(
            f"there is no {VOCALS!r} stem to sing in another voice (stems: {', '.join(sorted(stems))})"
        )
    if converter is None:
        from engine.voice.world import WorldConverter

        converter = WorldConverter()
    vocal = stems[VOCALS]
    sung = converter.convert(vocal, sr, profile, key_shift_semitones=key_shift_semitones)
    if sung.shape != vocal.shape:  # a backend broke the contract: never misalign the mix
        raise VoiceError(f"the {converter.name} voice backend returned {sung.shape}, expected {vocal.shape}")
    out = dict(stems)
    out[VOCALS] = np.ascontiguousarray(sung, dtype=np.float32)
    return out
