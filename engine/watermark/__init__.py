"""Forensic watermark: an inaudible 64-bit token in every delivered clip.

``embed(audio, sr, token, key)`` marks; ``detect(audio, sr, keys)`` finds the
token again after lossy encoding, resampling, downmixing, gain, cropping,
noise or a speed change, or returns None. See ``/work/shared/WATERMARK.md``
for the targets and ``layout`` for the design in one page.
"""

from engine.watermark.detector import Detection, detect
from engine.watermark.embedder import embed
from engine.watermark.keys import WatermarkKey
from engine.watermark.layout import BLOCK_SECONDS, MIN_CLIP_SECONDS, band_kept, embed_capacity_s

__all__ = [
    "BLOCK_SECONDS",
    "MIN_CLIP_SECONDS",
    "Detection",
    "WatermarkKey",
    "band_kept",
    "detect",
    "embed",
    "embed_capacity_s",
]
