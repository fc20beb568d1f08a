"""Learning a voice profile from its owner's reference recordings.

The checks come first and say exactly what is wrong, because registering a
voice is a one-off act by an operator holding a consent document: a profile
learnt from 10 s of clipped audio would quietly make every cover sound bad.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from engine.voice import analysis
from engine.voice.analysis import F64
from engine.voice.errors import ReferenceAudioError
from engine.voice.metrics import embedding
from engine.voice.profile import VoiceProfile

PROFILE_SAMPLE_RATE = 44_100
MIN_REFERENCE_SECONDS = 30.0
CLIP_LEVEL = 0.999
MAX_CLIPPED_SHARE = 0.001
"""More than 0.1 % of samples at full scale: the recording was clipped."""
SILENT_PEAK = 10 ** (-60 / 20)


def check_reference(audio: npt.NDArray[np.floating], sr: int, label: str) -> F64:
    """One recording, as mono float64, or a ``ReferenceAudioError`` naming ``label``."""
    if sr != PROFILE_SAMPLE_RATE:
        raise ReferenceAudioError(
            f"{label} is sampled at {sr} Hz; reference recordings must be "
            f"{PROFILE_SAMPLE_RATE} Hz (resample it, e.g. `ffmpeg -i in.wav -ar 44100 out.wav`)"
        )
    x = analysis.mono(audio)
    if x.size == 0 or not np.isfinite(x).all():
        raise ReferenceAudioError(f"{label} is empty or contains invalid samples")
    peak = float(np.max(np.abs(x)))
    if peak < SILENT_PEAK:
        raise ReferenceAudioError(f"{label} is silent (peak {20 * np.log10(max(peak, 1e-12)):.0f} dBFS)")
    clipped = float(np.mean(np.abs(x) >= CLIP_LEVEL))
    if clipped > MAX_CLIPPED_SHARE:
        raise ReferenceAudioError(
            f"{label} is clipped ({clipped:.1%} of its samples at full scale); record it again "
            "with more headroom — distortion would become part of the voice"
        )
    return x


def train_profile(
    reference_audios: Sequence[npt.NDArray[np.floating]],
    sr: int,
    *,
    labels: Sequence[str] | None = None,
) -> VoiceProfile:
    """Learn a ``VoiceProfile`` from ≥ 30 s of singing (mono or (channels, samples) arrays).

    Raises:
        ReferenceAudioError: wrong sample rate, silent, clipped or too little singing.
    """
    if not reference_audios:
        raise ReferenceAudioError("no reference recordings were given")
    names = list(labels) if labels is not None else [
        f"reference recording {i + 1}" for i in range(len(reference_audios))
    ]
    signals = [check_reference(a, sr, name) for a, name in zip(reference_audios, names, strict=True)]
    segments = [(x, analysis.active_segments(x, sr)) for x in signals]
    sung_seconds = sum(end - start for _, spans in segments for start, end in spans) / sr
    if sung_seconds < MIN_REFERENCE_SECONDS:
        raise ReferenceAudioError(
            f"the reference recordings hold {sung_seconds:.1f} s of singing; a voice needs at least "
            f"{MIN_REFERENCE_SECONDS:.0f} s (silence does not count)"
        )
    pieces = [x[start:end] for x, spans in segments for start, end in spans]
    f0s = [analysis.track_f0(p, sr) for p in pieces]
    voiced_f0 = np.concatenate([f[f > 0] for f in f0s])
    if voiced_f0.size < 200:
        raise ReferenceAudioError(
            "no sung (pitched) sound was found in the reference recordings; they must be singing"
        )
    floor = analysis.f0_floor_for(float(np.percentile(voiced_f0, 2)))
    mceps: list[F64] = []
    ltas_sum = np.zeros(analysis.LTAS_GRID.size)
    for piece, f0 in zip(pieces, f0s, strict=True):
        voiced = f0 > 0
        if not voiced.any():
            continue
        sp, fft_size = analysis.envelope(piece, sr, f0, floor)
        mceps.append(analysis.code(sp[voiced], sr))
        ltas_sum += analysis.long_term_envelope(sp, voiced, sr, fft_size) * int(voiced.sum())
    mcep = np.concatenate(mceps)
    logs = np.log(voiced_f0)
    ltas = ltas_sum / voiced_f0.size
    return VoiceProfile(
        sample_rate=sr,
        f0_log_mean=float(logs.mean()),
        f0_log_std=float(logs.std()),
        f0_low=float(np.percentile(voiced_f0, 5)),
        f0_high=float(np.percentile(voiced_f0, 95)),
        mcep_mean=mcep.mean(axis=0),
        mcep_std=np.maximum(mcep.std(axis=0), 1e-6),
        ltas=ltas - ltas.mean(),
        embedding=embedding(pieces, sr),
        reference_seconds=round(sung_seconds, 3),
    )
