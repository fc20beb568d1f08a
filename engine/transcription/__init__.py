"""Neural transcription: the notes a recording plays, heard by Basic Pitch (ONNX).

``transcribe`` turns audio into ``Note`` values with pitch bends. The model
ships in the ``basic-pitch`` wheel and runs on ONNX Runtime; when either is
missing or broken, ``TranscriberUnavailable`` says why, and callers fall back
to the DSP analysis instead of failing a clip.
"""

from engine.transcription._basic_pitch import (
    MODEL_VERSION,
    TranscriberUnavailable,
    load_model,
    transcribe,
)
from engine.transcription._notes import Note

__all__ = ["MODEL_VERSION", "Note", "TranscriberUnavailable", "load_model", "transcribe"]
