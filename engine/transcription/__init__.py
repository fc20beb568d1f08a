"""Neural transcription: the notes a recording plays, heard by Basic Pitch (ONNX).

``transcribe`` turns audio into ``Note`` values with pitch bends;
``score_stems`` makes a song's ``Score`` (melody from the vocal stem, bass
from the bass stem, harmony from the rest, or all three from a plain mix),
which the styles play from. The model ships in the ``basic-pitch`` wheel and
runs on ONNX Runtime; when either is missing or broken,
``TranscriberUnavailable`` says why, and callers fall back to the DSP
analysis instead of failing a clip.
"""

from engine.transcription._basic_pitch import (
    MODEL_VERSION,
    TranscriberUnavailable,
    load_model,
    transcribe,
)
from engine.transcription._notes import Note
from engine.transcription._score import SCORE_VERSION, Score, score_stems, top_line

__all__ = [
    "MODEL_VERSION",
    "SCORE_VERSION",
    "Note",
    "Score",
    "TranscriberUnavailable",
    "load_model",
    "score_stems",
    "top_line",
    "transcribe",
]
