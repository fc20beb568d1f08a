"""Spotify's Basic Pitch, run through ONNX Runtime on in-memory audio.

The model (``nmp.onnx``) ships inside the ``basic-pitch`` wheel, so nothing is
downloaded. Basic Pitch's own ``predict`` reads a file with librosa; this
runs the same windows, model and note decoding on an array instead, so a
stem never has to be written out to be transcribed. TensorFlow is not
installed: the ONNX model is chosen explicitly and the load fails loudly
(``TranscriberUnavailable``) when ONNX Runtime or the model file is missing.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.signal import resample_poly

from core.errors import RefrainError
from engine.transcription._notes import Note

MODEL_VERSION = "basic-pitch-0.4.0-icassp2022-onnx"
"""Part of every score's cache key: a different model hears different notes."""

_MODEL_SR = 22_050
_OVERLAP_FRAMES = 30  # as Basic Pitch's own inference
_MIN_NOTE_MS = 127.7


class TranscriberUnavailable(RefrainError):
    """The transcriber cannot run here: its runtime or its model would not load."""


@functools.cache
def _model() -> Any:
    """Basic Pitch's ONNX model, loaded once per process."""
    # basic_pitch logs a warning per missing backend (TensorFlow, CoreML,
    # TFLite) when imported; only ONNX is meant to be present.
    root = logging.getLogger()
    was = root.disabled
    root.disabled = True
    try:
        import basic_pitch
        from basic_pitch import inference
    except Exception as exc:  # a missing or broken install is a reason, not a crash
        raise TranscriberUnavailable(f"basic-pitch cannot be imported: {exc}") from exc
    finally:
        root.disabled = was
    if not basic_pitch.ONNX_PRESENT:
        raise TranscriberUnavailable("onnxruntime is not installed")
    path = basic_pitch.build_icassp_2022_model_path(basic_pitch.FilenameSuffix.onnx)
    try:
        model = inference.Model(path)
    except Exception as exc:
        raise TranscriberUnavailable(f"the Basic Pitch model at {path} would not load: {exc}") from exc
    if model.model_type != inference.Model.MODEL_TYPES.ONNX:
        raise TranscriberUnavailable(f"Basic Pitch chose {model.model_type}, not ONNX")
    return model


def load_model() -> None:
    """Load the model now (raises ``TranscriberUnavailable``), e.g. to log why styles fall back."""
    _model()


def _activations(mono: npt.NDArray[np.float32]) -> dict[str, npt.NDArray[np.float32]]:
    from basic_pitch import inference
    from basic_pitch.constants import AUDIO_N_SAMPLES, FFT_HOP

    model = _model()
    overlap = _OVERLAP_FRAMES * FFT_HOP
    padded = np.concatenate([np.zeros(overlap // 2, dtype=np.float32), mono])
    outputs: dict[str, list[npt.NDArray[np.float32]]] = {"note": [], "onset": [], "contour": []}
    for window, _ in inference.window_audio_file(padded, AUDIO_N_SAMPLES - overlap):
        for name, value in model.predict(window[None, ...].astype(np.float32)).items():
            outputs[name].append(value)
    return {
        name: inference.unwrap_output(np.concatenate(parts), mono.shape[0], _OVERLAP_FRAMES)
        for name, parts in outputs.items()
    }


def transcribe(
    audio: npt.NDArray[np.floating],
    sample_rate: int,
    *,
    onset_threshold: float = 0.5,
    frame_threshold: float = 0.3,
    min_hz: float | None = None,
    max_hz: float | None = None,
    melodia: bool = True,
) -> list[Note]:
    """Notes of ``audio`` (mono or ``(channels, n)``) with pitch bends, sorted by onset."""
    _model()  # imports Basic Pitch quietly, or says why it cannot
    from basic_pitch import note_creation
    from basic_pitch.constants import AUDIO_SAMPLE_RATE, FFT_HOP

    x = np.asarray(audio, dtype=np.float64)
    mono = x.mean(axis=0) if x.ndim == 2 else x
    if sample_rate != _MODEL_SR:
        g = np.gcd(sample_rate, _MODEL_SR)
        mono = resample_poly(mono, _MODEL_SR // g, sample_rate // g)
    mono32 = np.ascontiguousarray(mono, dtype=np.float32)
    if mono32.shape[0] < FFT_HOP or not np.any(mono32):
        return []
    activations = _activations(mono32)
    _, events = note_creation.model_output_to_notes(
        activations,
        onset_thresh=onset_threshold,
        frame_thresh=frame_threshold,
        min_note_len=round(_MIN_NOTE_MS / 1000 * (AUDIO_SAMPLE_RATE / FFT_HOP)),
        min_freq=min_hz,
        max_freq=max_hz,
        include_pitch_bends=True,
        melodia_trick=melodia,
    )
    # Rounded as a score stores them, so a cached score equals a fresh one.
    notes = [
        Note(round(float(s), 4), round(float(e), 4), int(p), round(float(a), 4),
             tuple(int(b) for b in (bends or ())))
        for s, e, p, a, bends in events
    ]
    return sorted(notes, key=lambda n: (n.start, n.midi))
