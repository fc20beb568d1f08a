"""A voice profile: what conversion needs to know about one consented voice.

Learnt once from the owner's reference recordings (``train_profile``), stored
as a blob (``to_bytes``; its sha256 goes into the registry) and loaded for
every conversion. It holds statistics only — register, long-term envelope,
envelope coefficient means and spreads, an MFCC-statistics embedding — never
the recordings themselves, so a revoked voice's blob can be deleted without
touching anything else.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

import numpy as np

from engine.voice.analysis import F64, LTAS_GRID, MCEP_DIM
from engine.voice.errors import VoiceProfileError

PROFILE_VERSION = 1
_SCALARS = ("version", "sample_rate", "f0_log_mean", "f0_log_std", "f0_low", "f0_high",
            "reference_seconds")
_ARRAYS = ("mcep_mean", "mcep_std", "ltas", "embedding")


@dataclass(frozen=True, eq=False)
class VoiceProfile:
    """The learnt description of one voice.

    Attributes:
        sample_rate: the rate the reference was analysed at; conversion runs at it.
        f0_log_mean, f0_log_std: natural-log F0 statistics of the voiced frames
            (the register the voice sings in and how widely it moves).
        f0_low, f0_high: 5th and 95th percentile of F0 in Hz (the comfortable range).
        mcep_mean, mcep_std: per-coefficient statistics of the coded envelope
            (``MCEP_DIM`` coefficients): the per-voice envelope transform's target.
        ltas: the long-term log envelope on ``LTAS_GRID`` (formant positions:
            what the frequency warp is estimated against).
        embedding: the MFCC-statistics speaker embedding (quality checks).
        reference_seconds: how much singing the profile was learnt from.
    """

    sample_rate: int
    f0_log_mean: float
    f0_log_std: float
    f0_low: float
    f0_high: float
    mcep_mean: F64
    mcep_std: F64
    ltas: F64
    embedding: F64
    reference_seconds: float
    version: int = PROFILE_VERSION

    def to_bytes(self) -> bytes:
        """A deterministic .npz (same profile → same bytes → same sha256)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for name in (*_SCALARS, *_ARRAYS):
                entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                array = io.BytesIO()
                np.save(array, np.asarray(getattr(self, name)), allow_pickle=False)
                archive.writestr(entry, array.getvalue())
        return buffer.getvalue()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.to_bytes()).hexdigest()

    @classmethod
    def from_bytes(cls, data: bytes) -> VoiceProfile:
        """Read a stored profile; anything unreadable is a ``VoiceProfileError``, never a crash."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as stored:
                values = {name: stored[name] for name in (*_SCALARS, *_ARRAYS)}
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
            raise VoiceProfileError(f"the stored voice profile cannot be read ({exc})") from exc
        version = int(values["version"])
        if version != PROFILE_VERSION:
            raise VoiceProfileError(
                f"the stored voice profile is version {version}; this Refrain reads version "
                f"{PROFILE_VERSION} — register the voice again (`refrain voices add`)"
            )
        arrays = {name: np.asarray(values[name], dtype=np.float64) for name in _ARRAYS}
        if arrays["mcep_mean"].shape != (MCEP_DIM,) or arrays["mcep_std"].shape != (MCEP_DIM,) \
                or arrays["ltas"].shape != LTAS_GRID.shape:
            raise VoiceProfileError("the stored voice profile has arrays of the wrong shape")
        if not all(np.isfinite(a).all() for a in arrays.values()):
            raise VoiceProfileError("the stored voice profile contains non-finite numbers")
        return cls(
            sample_rate=int(values["sample_rate"]),
            f0_log_mean=float(values["f0_log_mean"]),
            f0_log_std=float(values["f0_log_std"]),
            f0_low=float(values["f0_low"]),
            f0_high=float(values["f0_high"]),
            reference_seconds=float(values["reference_seconds"]),
            version=version,
            **arrays,
        )
