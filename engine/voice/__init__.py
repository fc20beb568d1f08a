"""Voice covers: a consented voice sings the lead (``apply_voice``), learnt from its owner's singing.

Backends share ``VoiceConverter``: ``world`` (WORLD vocoder, CPU, the default)
and ``torchscript``/``onnx`` (an RVC-style neural model file). A voice is a
``VoiceProfile`` learnt by ``train_profile`` from ≥ 30 s of reference singing
and stored as bytes. Heavy modules load lazily: importing this package does
not load pyworld or torch.
"""

from engine.voice._pyworld import pyworld
from engine.voice.apply import apply_voice
from engine.voice.converter import BACKENDS, VoiceConverter, converter
from engine.voice.demo import DEMO_VOICE_IDS, demo_profile
from engine.voice.errors import (
    ReferenceAudioError,
    VoiceBackendUnavailable,
    VoiceError,
    VoiceModelFileError,
    VoiceProfileError,
)
from engine.voice.profile import VoiceProfile
from engine.voice.training import MIN_REFERENCE_SECONDS, PROFILE_SAMPLE_RATE, train_profile

__all__ = [
    "BACKENDS",
    "DEMO_VOICE_IDS",
    "MIN_REFERENCE_SECONDS",
    "PROFILE_SAMPLE_RATE",
    "ReferenceAudioError",
    "VoiceBackendUnavailable",
    "VoiceConverter",
    "VoiceError",
    "VoiceModelFileError",
    "VoiceProfile",
    "VoiceProfileError",
    "apply_voice",
    "converter",
    "demo_profile",
    "pyworld",
    "train_profile",
]
