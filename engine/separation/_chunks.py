"""Where a track is cut into model-sized segments and how they are blended back.

This is the arithmetic of ``demucs.apply.apply_model(split=True)``, kept
separate from running the network so that the network can see many segments
at once: segments start every ``stride`` samples, each is fed to the model
with ``valid`` samples of context centred on it (zeros past the track ends),
the centre ``length`` samples of the output are kept, and overlapping outputs
are blended with triangular weights raised to ``transition_power``. Keeping
the arithmetic identical is what makes our output equal to demucs'.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby

import torch


@dataclass(frozen=True)
class Segment:
    """One model input: the output samples it yields and the input it needs."""

    track: int  # which input track (one per shift of the shift trick)
    offset: int  # first output sample in the track
    length: int  # output samples kept
    start: int  # first input sample, may be negative (zeros before the track)
    valid: int  # input samples the model is given


def plan_segments(
    track: int, n: int, segment_length: int, overlap: float, valid_length: Callable[[int], int]
) -> list[Segment]:
    """The segments demucs cuts an ``n``-sample track into, in its order."""
    stride = int((1 - overlap) * segment_length)
    if stride <= 0:
        raise ValueError(f"overlap {overlap} leaves no stride for {segment_length} samples")
    segments = []
    for offset in range(0, n, stride):
        length = min(segment_length, n - offset)
        valid = valid_length(length)
        segments.append(Segment(track, offset, length, offset - (valid - length) // 2, valid))
    return segments


def by_input_length(segments: Sequence[Segment]) -> list[list[Segment]]:
    """Segments grouped by input length: only equal lengths stack into one batch."""
    ordered = sorted(segments, key=lambda s: s.valid)  # stable: demucs' order within a group
    return [list(same) for _, same in groupby(ordered, key=lambda s: s.valid)]


def kept_slice(output_length: int, length: int) -> slice:
    """The centre ``length`` samples of a model output (demucs' ``center_trim``)."""
    start = (output_length - length) // 2
    return slice(start, start + length)


def transition_weight(segment_length: int, power: float, device: torch.device) -> torch.Tensor:
    """Triangle peaking mid-segment, so overlapping segments cross-fade."""
    half = segment_length // 2
    rising = torch.arange(1, half + 1, device=device, dtype=torch.float32)
    falling = torch.arange(segment_length - half, 0, -1, device=device, dtype=torch.float32)
    weight = torch.cat([rising, falling])
    return (weight / weight.max()) ** power
