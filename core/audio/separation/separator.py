"""Split a mix into stems with a demucs model, many segments per network call.

``demucs.apply.apply_model`` feeds the network one segment at a time. Here
the same segments (see ``_chunks``) are stacked into batches, which keeps a
GPU busy and lets CPU kernels work on bigger tensors, while the cutting,
normalisation and blending stay exactly demucs', so the stems are the same
(to float rounding) as ``demucs.api.Separator`` gives with ``shifts=0``.

Device policy: on CUDA the network runs in bfloat16 with the STFT/iSTFT in
float32 and the track crosses to the GPU once, from pinned memory; on CPU it
runs in float32 on every core. Out of memory halves the batch (and keeps it
halved for later tracks) until one segment at a time does not fit either.
"""

from __future__ import annotations

import logging
import os
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from demucs.apply import BagOfModels
from demucs.htdemucs import HTDemucs
from torch import nn

from core.audio.separation._chunks import (
    Segment,
    by_input_length,
    kept_slice,
    padding_for,
    plan_segments,
    transition_weight,
)
from core.audio.separation._precision import network_precision
from core.audio.separation.errors import SeparationOutOfMemory

log = logging.getLogger(__name__)

ProgressFn = Callable[[float], None]
"""Called with the fraction of segments done, from 0 to 1."""

_STD_EPSILON = 1e-8  # what demucs adds to the mix's standard deviation
_MAX_SHIFT_S = 0.5  # the shift trick moves the track by up to half a second


@dataclass(frozen=True)
class _Member:
    """One network of the model (a bag has several) and its weight per source."""

    network: nn.Module
    weights: tuple[float, ...]
    segment: float | Fraction
    fixed_input: bool  # HTDemucs always sees int(segment × rate) samples


class Separator:
    """A demucs model with explicit device, segment, overlap, shifts and batch size.

    Args:
        model: a demucs ``Demucs``/``HDemucs``/``HTDemucs`` or a ``BagOfModels``
            (any module with ``sources``, ``samplerate``, ``audio_channels`` and
            ``segment`` attributes that maps ``(batch, channels, n)`` to
            ``(batch, sources, channels, n)``).
        device: ``"cuda"``, ``"cpu"``…; ``None`` picks CUDA when available.
        segment: seconds per segment; ``None`` uses each network's own. An
            HTDemucs cannot take more than it was trained on.
        overlap: fraction of a segment shared with the next one.
        shifts: random time shifts averaged (the "shift trick"); 0 is fastest.
        batch_size: segments per network call.
        transition_power: sharpness of the cross-fade between segments.
        precision: dtype of the network's layers; ``None`` means bfloat16 on
            CUDA and float32 elsewhere. Spectrograms always stay float32.
        threads: CPU threads while separating; ``None`` means every core.
        seed: seeds the shift trick, so a separation is reproducible.
    """

    def __init__(
        self,
        model: nn.Module,
        *,
        device: str | torch.device | None = None,
        segment: float | None = None,
        overlap: float = 0.25,
        shifts: int = 0,
        batch_size: int = 4,
        transition_power: float = 1.0,
        precision: torch.dtype | None = None,
        threads: int | None = None,
        seed: int = 0,
    ) -> None:
        if not 0 <= overlap < 1:
            raise ValueError(f"overlap must be in [0, 1), not {overlap}")
        if shifts < 0 or batch_size < 1 or transition_power < 1:
            raise ValueError("shifts ≥ 0, batch_size ≥ 1 and transition_power ≥ 1 are required")
        self.device = torch.device(
            device if device is not None else "cuda" if torch.cuda.is_available() else "cpu"
        )
        self.sources: tuple[str, ...] = tuple(_attribute(model, "sources"))
        self.samplerate: int = int(_attribute(model, "samplerate"))
        self.audio_channels: int = int(_attribute(model, "audio_channels"))
        self.overlap = overlap
        self.shifts = shifts
        self.transition_power = transition_power
        self.precision = precision or (
            torch.bfloat16 if self.device.type == "cuda" else torch.float32
        )
        self.threads = threads or os.cpu_count() or 1
        self.seed = seed
        self._batch_size = batch_size
        self._members = _members(model, segment)
        model.to(self.device).eval()

    @property
    def batch_size(self) -> int:
        """Segments per network call now (lowered for good after running out of memory)."""
        return self._batch_size

    def separate(
        self, audio: np.ndarray, progress: ProgressFn | None = None
    ) -> dict[str, np.ndarray]:
        """Stems of ``audio`` (``(channels, n)`` float32 at ``samplerate``), same shape each."""
        if audio.ndim != 2 or audio.shape[0] != self.audio_channels:
            raise ValueError(
                f"expected ({self.audio_channels}, n) audio, got shape {tuple(audio.shape)}"
            )
        n = audio.shape[1]
        if n == 0:
            return {name: np.zeros_like(audio, dtype=np.float32) for name in self.sources}
        mix = torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32))
        with self._cpu_threads(), torch.inference_mode():
            # demucs.api normalises by the statistics of the mono downmix.
            ref = mix.mean(0)
            mean, std = ref.mean(), ref.std() + _STD_EPSILON
            stems = self._estimate((mix - mean) / std, progress) * std.to(self.device)
            stems += mean.to(self.device)
            result = stems.cpu().numpy()
        return {name: result[index] for index, name in enumerate(self.sources)}

    # -- the model over the whole track --------------------------------------------------

    def _estimate(self, mix: torch.Tensor, progress: ProgressFn | None) -> torch.Tensor:
        """Weighted average of the members' estimates, ``(sources, channels, n)``."""
        tracks, trims = self._shifted(mix)
        plans = [self._plan(member, tracks) for member in self._members]
        done, total_segments = 0, sum(len(plan) for plan in plans)

        def step(count: int) -> None:
            nonlocal done
            done += count
            if progress is not None:
                progress(done / total_segments)

        n = mix.shape[-1]
        total = torch.zeros(len(self.sources), self.audio_channels, n, device=self.device)
        weight_sums = torch.zeros(len(self.sources), device=self.device)
        device_tracks = [self._to_device(track) for track in tracks]
        for member, plan in zip(self._members, plans, strict=True):
            per_track = self._overlap_add(member, device_tracks, plan, step)
            estimate = torch.stack(
                [out[..., trim : trim + n] for out, trim in zip(per_track, trims, strict=True)]
            ).sum(0)
            weights = torch.tensor(member.weights, device=self.device)
            total += estimate * (weights / len(tracks))[:, None, None]
            weight_sums += weights
        return total / weight_sums[:, None, None]

    def _shifted(self, mix: torch.Tensor) -> tuple[list[torch.Tensor], list[int]]:
        """The tracks to separate and where the original starts in each.

        Without shifts, the mix itself. With shifts, demucs' trick: the mix
        delayed by a random amount up to half a second, once per shift.
        """
        if self.shifts == 0:
            return [mix], [0]
        max_shift = int(_MAX_SHIFT_S * self.samplerate)
        rng = random.Random(self.seed)
        delays = [max_shift - rng.randint(0, max_shift) for _ in range(self.shifts)]
        return [F.pad(mix, (delay, 0)) for delay in delays], delays

    def _plan(self, member: _Member, tracks: Sequence[torch.Tensor]) -> list[Segment]:
        segment_length = int(self.samplerate * member.segment)
        network = member.network

        def valid_length(length: int) -> int:
            if member.fixed_input:
                return int(member.segment * self.samplerate)
            valid: Callable[[int], int] | None = getattr(network, "valid_length", None)
            return length if valid is None else int(valid(length))

        return [
            segment
            for index, track in enumerate(tracks)
            for segment in plan_segments(
                index, track.shape[-1], segment_length, self.overlap, valid_length
            )
        ]

    def _overlap_add(
        self,
        member: _Member,
        tracks: Sequence[torch.Tensor],
        plan: Sequence[Segment],
        step: Callable[[int], None],
    ) -> list[torch.Tensor]:
        """One member's estimate of every track, blended from its segments."""
        sources, channels = len(self.sources), self.audio_channels
        outs = [torch.zeros(sources, channels, t.shape[-1], device=self.device) for t in tracks]
        sums = [torch.zeros(t.shape[-1], device=self.device) for t in tracks]
        pads = [
            padding_for([s for s in plan if s.track == i], t.shape[-1])
            for i, t in enumerate(tracks)
        ]
        padded = [F.pad(t, pad) for t, pad in zip(tracks, pads, strict=True)]
        weight = transition_weight(
            int(self.samplerate * member.segment), self.transition_power, self.device
        )
        for group in by_input_length(plan):
            for batch, output in self._run_group(member.network, group, padded, pads):
                for segment, estimate in zip(batch, output, strict=True):
                    kept = estimate[..., kept_slice(estimate.shape[-1], segment.length)]
                    where = slice(segment.offset, segment.offset + segment.length)
                    outs[segment.track][..., where] += weight[: segment.length] * kept
                    sums[segment.track][where] += weight[: segment.length]
                step(len(batch))
        for out, total in zip(outs, sums, strict=True):
            out /= total
        return outs

    def _run_group(
        self,
        network: nn.Module,
        group: list[Segment],
        padded: Sequence[torch.Tensor],
        pads: Sequence[tuple[int, int]],
    ) -> Iterator[tuple[list[Segment], torch.Tensor]]:
        """Network outputs for segments of one input length, batch by batch."""
        first = 0
        while first < len(group):
            batch = group[first : first + self._batch_size]
            inputs = torch.stack([_input_of(s, padded, pads) for s in batch])
            try:
                with network_precision([network], self.device, self.precision):
                    output = network(inputs)
            except (torch.OutOfMemoryError, RuntimeError) as exc:
                if not _is_out_of_memory(exc):
                    raise
                del inputs
                self._shrink_batch(len(batch), batch[0].valid)
                continue
            yield batch, output.float()
            first += len(batch)

    def _shrink_batch(self, failed: int, valid: int) -> None:
        if self.device.type == "cuda":
            torch.cuda.empty_cache()
        if failed <= 1:
            raise SeparationOutOfMemory(str(self.device), valid / self.samplerate)
        self._batch_size = max(1, failed // 2)
        log.warning(
            "separation ran out of %s memory with %d segments per batch; now %d",
            self.device,
            failed,
            self._batch_size,
        )

    # -- devices --------------------------------------------------------------------------

    def _to_device(self, track: torch.Tensor) -> torch.Tensor:
        """The whole track crosses once; segments are then sliced on the device."""
        if self.device.type != "cuda":
            return track.to(self.device)
        return track.pin_memory().to(self.device, non_blocking=True)

    @contextmanager
    def _cpu_threads(self) -> Iterator[None]:
        """Every core for the CPU kernels, given back afterwards (it is process-wide)."""
        if self.device.type != "cpu":
            yield
            return
        before = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            yield
        finally:
            torch.set_num_threads(before)


def _members(model: nn.Module, segment: float | None) -> list[_Member]:
    networks: list[nn.Module]
    if isinstance(model, BagOfModels):
        networks = list(model.models)
        weights = [tuple(float(w) for w in row) for row in model.weights]
    else:
        networks = [model]
        weights = [tuple(1.0 for _ in _attribute(model, "sources"))]
    members = []
    for network, row in zip(networks, weights, strict=True):
        own: float | Fraction = _attribute(network, "segment")
        chosen = own if segment is None else segment
        fixed = isinstance(network, HTDemucs)
        if fixed and chosen > own:
            raise ValueError(f"this HTDemucs takes segments of at most {float(own):.2f} s")
        if chosen <= 0:
            raise ValueError(f"segment must be positive, not {chosen}")
        members.append(_Member(network, row, chosen, fixed))
    return members


def _attribute(model: nn.Module, name: str) -> Any:
    """A demucs model's metadata attribute (sources, samplerate…), which torch types loosely."""
    if not hasattr(model, name):
        raise TypeError(f"{type(model).__name__} is not a demucs model: it has no `{name}`")
    return getattr(model, name)


def _input_of(
    segment: Segment, padded: Sequence[torch.Tensor], pads: Sequence[tuple[int, int]]
) -> torch.Tensor:
    start = segment.start + pads[segment.track][0]
    return padded[segment.track][:, start : start + segment.valid]


def _is_out_of_memory(exc: BaseException) -> bool:
    return isinstance(exc, torch.OutOfMemoryError) or "out of memory" in str(exc).lower()
