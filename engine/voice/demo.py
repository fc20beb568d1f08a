"""Profiles of the demo voices, learnt from the formant synthesizer's reference singing.

The demo catalog's voices are the project's own synthetic singers, so their
reference recordings are made here (``engine.synth.voices``) and the
profiles learnt from them are deterministic: the same bytes on every machine.
"""

from __future__ import annotations

from functools import lru_cache

from engine.synth.voices import DEMO_TIMBRES, reference_singing
from engine.voice.profile import VoiceProfile
from engine.voice.training import PROFILE_SAMPLE_RATE, train_profile

DEMO_VOICE_IDS = tuple(DEMO_TIMBRES)


@lru_cache(maxsize=len(DEMO_TIMBRES))
def demo_profile(voice_id: str) -> VoiceProfile:
    """The profile of demo voice ``voice_id`` (KeyError names the demo voices for another id)."""
    take = reference_singing(voice_id, PROFILE_SAMPLE_RATE)
    return train_profile([take.audio], PROFILE_SAMPLE_RATE, labels=[f"{voice_id} reference"])
