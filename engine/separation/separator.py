"""Split a mix into stems with a demucs model, many segments at a time.

``demucs.apply.apply_model`` feeds the network one segment at a time. Here
the same segments (see ``_chunks``) go through the network several at once:
stacked into batches, which keeps a GPU busy, and on a CPU run side by side
in worker threads with a share of the cores each (``_runner``). The cutting,
normalisation and blending stay exactly demucs', so the stems equal (to float
rounding) what ``demucs.api.Separator`` gives with ``shifts=0``.

Device policy: on CUDA the network runs in bfloat16 with the STFT/iSTFT in
float32 (``_precision``), the track crosses to the GPU once from pinned
memory and segments are cut there; on CPU it runs in float32 on every core.
"""

from __future__ import annotations

import logging
import os
import random
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from demucs.apply import BagOfModels
from demucs.htdemucs import HTDemucs
from torch import nn

from engine.separation._chunks import (
    Segment,
    by_input_length,
    kept_slice,
    plan_segments,
    transition_weight,
)
from engine.separation._memory import release_freed_memory
from engine.separation._precision import Float32Spectrograms, layer_precision
from engine.separation._runner import (
    Capacity,
    InlineExecutor,
    OutOfCapacity,
    run_batches,
)
from engine.separation.errors import SeparationOutOfMemory

log = logging.getLogger(__name__)

ProgressFn = Callable[[float], None]
"""Called with the fraction of segments done, from 0 to 1."""

_STD_EPSILON = 1e-8  # what demucs adds to the mix's standard deviation
_MAX_SHIFT_S = 0.5  # the shift trick moves the track by up to half a second
_CUDA_BATCH = 8
_CPU_BATCH = 1  # on CPU, bigger batches cost more per segment (cache misses)
_WEIGHT_BLOCK = 1 << 20  # samples whose blending weights are summed at once
# A CPU worker's network call holds about 0.5 GB of activations on PyTorch
# (HTDemucs, one 7.8-s segment; about 2.3 GB on ONNX Runtime, measured) and a
# 10-minute song's input and stems about 1 GB: past this length one PyTorch
# call runs at a time, so a 10-minute song separates in ≤ 2 GiB.
_LONG_TRACK_S = 240
# Weights become constants, so oneDNN gets them pre-packed: 1.28× per HTDemucs
# segment on CPU where plain compilation gave 1.2×. Fine for inference-only use.
_COMPILE_OPTIONS: dict[str, str | int | bool | Callable[..., Any]] = {"freezing": True}


@dataclass(frozen=True)
class _Member:
    """One network of the model (a bag has several) and its weight per source."""

    network: nn.Module
    run: Callable[[torch.Tensor], torch.Tensor]  # the network, compiled or not
    weights: tuple[float, ...]
    segment: float | Fraction
    fixed_input: bool  # HTDemucs always sees int(segment × rate) samples


@dataclass(frozen=True)
class _Track:
    """One input track: the mix on the device, normalised one segment at a time.

    Neither a normalised nor a zero-padded copy of the whole mix is made (for
    a 10-minute song each would be 200 MB more): a segment's samples are
    normalised as it is cut, and the zeros demucs puts around the track (and
    in front of it, for the shift trick) are added to that segment only. The
    arithmetic is elementwise, so the values equal demucs' own.
    """

    audio: torch.Tensor  # (channels, n) as given, on the device
    delay: int  # zeros in front of the mix (the shift trick)
    mean: torch.Tensor
    std: torch.Tensor

    @property
    def length(self) -> int:
        return int(self.audio.shape[-1]) + self.delay

    def segment(self, segment: Segment) -> torch.Tensor:
        n = int(self.audio.shape[-1])
        low = segment.start - self.delay
        high = low + segment.valid
        piece = (self.audio[:, max(0, min(low, n)) : max(0, min(high, n))] - self.mean) / self.std
        front = min(max(0, -low), segment.valid)
        back = segment.valid - front - piece.shape[-1]
        return F.pad(piece, (front, back)) if front or back else piece


@dataclass(frozen=True)
class _Pool:
    """Where network calls run, and how many at once."""

    run: Executor
    workers: int


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
        batch_size: segments per network call; ``None``: 8 on CUDA, 1 on CPU.
        workers: network calls running at once; ``None``: one per core on
            CPU (one for songs over 4 minutes, to bound memory), one on CUDA.
        transition_power: sharpness of the cross-fade between segments.
        precision: dtype of the network's layers; ``None`` means bfloat16 on
            CUDA and float32 elsewhere. Spectrograms always stay float32.
        threads: CPU threads in all while separating; ``None``: every core.
        seed: seeds the shift trick, so a separation is reproducible.
        compile: run the networks through ``torch.compile`` (inductor, weights
            frozen). About 1.28× faster per HTDemucs segment on CPU once
            compiled, but the first separation compiles for minutes (6 to 12
            on a 2-core machine; less with a warm inductor cache), so it suits
            long-lived workers only. Compiled networks take one call at a time.
        onnx: an ONNX export of the network (``onnx_runtime``), run by ONNX
            Runtime on CPU when it matches the model, for songs up to 4
            minutes (longer ones run on PyTorch, whose calls hold a quarter
            of the memory); ``None``, a mismatch, a bag or a GPU: PyTorch
            (the log says why).
    """

    def __init__(
        self,
        model: nn.Module,
        *,
        device: str | torch.device | None = None,
        segment: float | None = None,
        overlap: float = 0.25,
        shifts: int = 0,
        batch_size: int | None = None,
        workers: int | None = None,
        transition_power: float = 1.0,
        precision: torch.dtype | None = None,
        threads: int | None = None,
        seed: int = 0,
        compile: bool = False,
        onnx: Path | None = None,
    ) -> None:
        if not 0 <= overlap < 1:
            raise ValueError(f"overlap must be in [0, 1), not {overlap}")
        if shifts < 0 or transition_power < 1:
            raise ValueError("shifts must be ≥ 0 and transition_power ≥ 1")
        self.device = torch.device(
            device if device is not None else "cuda" if torch.cuda.is_available() else "cpu"
        )
        on_cuda = self.device.type == "cuda"
        self.sources: tuple[str, ...] = tuple(_attribute(model, "sources"))
        self.samplerate: int = int(_attribute(model, "samplerate"))
        self.audio_channels: int = int(_attribute(model, "audio_channels"))
        self.overlap = overlap
        self.shifts = shifts
        self.transition_power = transition_power
        self.precision = precision or (torch.bfloat16 if on_cuda else torch.float32)
        self.threads = threads or os.cpu_count() or 1
        self.seed = seed
        if compile and (workers or 1) > 1:
            raise ValueError("a compiled network takes one call at a time: workers must be 1")
        self._capacity = Capacity(
            batch_size=batch_size or (_CUDA_BATCH if on_cuda else _CPU_BATCH),
            workers=workers or (1 if on_cuda or compile else self.threads),
        )
        if self._capacity.batch_size < 1 or self._capacity.workers < 1:
            raise ValueError("batch_size and workers must be at least 1")
        self._one_call_when_long = workers is None and not on_cuda
        if not on_cuda:
            release_freed_memory()
        model.to(self.device).eval()
        self._members = _members(model, segment)
        self.runtime = "pytorch"
        self._onnx_members: list[_Member] = []
        if onnx is not None and not on_cuda and not compile and self.precision == torch.float32:
            self._use_onnx(model, onnx)
        if compile:
            self._members = [
                replace(m, run=torch.compile(m.network, dynamic=False, options=_COMPILE_OPTIONS))
                for m in self._members
            ]
        self._spectrograms = Float32Spectrograms(
            [m.network for m in self._members], self.device, self.precision
        )

    def _use_onnx(self, model: nn.Module, path: Path) -> None:
        from engine.separation.onnx_runtime import onnx_network

        if len(self._members) != 1:
            log.warning("separation runs on PyTorch: a bag of models is not exported")
            return
        share = max(1, self.threads // self._capacity.workers)
        run = onnx_network(self._members[0].network, path, share)
        if run is not None:
            self._onnx_members = [replace(self._members[0], run=run)]
            self.runtime = "onnxruntime"

    def _members_for(self, n: int) -> list[_Member]:
        """ONNX Runtime where there is an export, except for long songs (see ``_LONG_TRACK_S``)."""
        if self._onnx_members and n <= _LONG_TRACK_S * self.samplerate:
            return self._onnx_members
        return self._members

    @property
    def batch_size(self) -> int:
        """Segments per network call now (lowered for good after running out of memory)."""
        return self._capacity.batch_size

    @property
    def workers(self) -> int:
        """Network calls at once now (lowered for good after running out of memory)."""
        return self._capacity.workers

    def separate(self, audio: np.ndarray, progress: ProgressFn | None = None) -> dict[str, np.ndarray]:
        """Stems of ``audio`` (``(channels, n)`` float32 at ``samplerate``), same shape each.

        Raises:
            SeparationOutOfMemory: one segment at a time does not fit on the device.
        """
        if audio.ndim != 2 or audio.shape[0] != self.audio_channels:
            raise ValueError(f"expected ({self.audio_channels}, n) audio, got shape {tuple(audio.shape)}")
        n = audio.shape[1]
        if n == 0:
            return {name: np.zeros_like(audio, dtype=np.float32) for name in self.sources}
        mix = torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32))
        with ExitStack() as stack:
            stack.enter_context(torch.inference_mode())
            # demucs.api normalises by the statistics of the mono downmix.
            ref = mix.mean(0)
            mean, std = ref.mean(), ref.std() + _STD_EPSILON
            del ref
            tracks = self._shifted(self._to_device(mix), mean, std)
            delays = [track.delay for track in tracks]
            members = self._members_for(n)
            plans = [self._plan(member, tracks) for member in members]
            calls = max(-(-len(plan) // self._capacity.batch_size) for plan in plans)
            workers = min(calls, self._capacity.workers)
            if self._one_call_when_long and n > _LONG_TRACK_S * self.samplerate:
                workers = 1  # bounded memory: see _LONG_TRACK_S
            pool = stack.enter_context(self._pool(workers))
            stack.enter_context(self._spectrograms.installed())
            try:
                stems = self._estimate(members, tracks, delays, plans, pool, progress)
            except OutOfCapacity:
                longest = max(float(member.segment) for member in members)
                raise SeparationOutOfMemory(str(self.device), longest) from None
            stems.mul_(std.to(self.device)).add_(mean.to(self.device))
            result = stems.cpu().numpy()
        return {name: result[index] for index, name in enumerate(self.sources)}

    # -- the model over the whole track --------------------------------------------------

    def _estimate(
        self,
        members: list[_Member],
        tracks: list[_Track],
        delays: list[int],
        plans: list[list[Segment]],
        pool: _Pool,
        progress: ProgressFn | None,
    ) -> torch.Tensor:
        """Weighted average of the members' estimates, ``(sources, channels, n)``.

        One network and no shifts (the usual case) is demucs' own estimate as
        it is: blended in place, with no second song-sized buffer.
        """
        done, total_segments = 0, sum(len(plan) for plan in plans)

        def step(count: int) -> None:
            nonlocal done
            done += count
            if progress is not None:
                progress(done / total_segments)

        if len(members) == 1 and len(tracks) == 1:
            return self._overlap_add(members[0], tracks, plans[0], pool, step)[0]
        n = tracks[0].length - delays[0]
        total = torch.zeros(len(self.sources), self.audio_channels, n, device=self.device)
        weight_sums = torch.zeros(len(self.sources), device=self.device)
        for member, plan in zip(members, plans, strict=True):
            per_track = self._overlap_add(member, tracks, plan, pool, step)
            estimate = torch.stack(
                [out[..., delay : delay + n] for out, delay in zip(per_track, delays, strict=True)]
            ).sum(0)
            weights = torch.tensor(member.weights, device=self.device)
            total += estimate * (weights / len(tracks))[:, None, None]
            weight_sums += weights
        return total / weight_sums[:, None, None]

    def _shifted(self, mix: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> list[_Track]:
        """The tracks to separate: where the original starts in each.

        Without shifts, the mix itself. With shifts, demucs' trick: the mix
        delayed by a random amount up to half a second, once per shift.
        """
        mean, std = mean.to(self.device), std.to(self.device)
        if self.shifts == 0:
            return [_Track(mix, 0, mean, std)]
        max_shift = int(_MAX_SHIFT_S * self.samplerate)
        rng = random.Random(self.seed)
        delays = [max_shift - rng.randint(0, max_shift) for _ in range(self.shifts)]
        return [_Track(mix, delay, mean, std) for delay in delays]

    def _plan(self, member: _Member, tracks: Sequence[_Track]) -> list[Segment]:
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
            for segment in plan_segments(index, track.length, segment_length, self.overlap, valid_length)
        ]

    def _overlap_add(
        self,
        member: _Member,
        tracks: Sequence[_Track],
        plan: Sequence[Segment],
        pool: _Pool,
        step: Callable[[int], None],
    ) -> list[torch.Tensor]:
        """One member's estimate of every track, blended from its segments."""
        sources, channels = len(self.sources), self.audio_channels
        outs = [torch.zeros(sources, channels, t.length, device=self.device) for t in tracks]
        weight = transition_weight(int(self.samplerate * member.segment), self.transition_power, self.device)

        def forward(batch: list[Segment]) -> torch.Tensor:
            # Runs in a worker thread: inference mode and autocast are per thread.
            stacked = torch.stack([tracks[s.track].segment(s) for s in batch])
            with torch.inference_mode(), layer_precision(self.device, self.precision):
                output = member.run(stacked)
            return output.float()

        for group in by_input_length(plan):
            head, tail = self._split_tail(group, pool.workers)
            for part, runner in ((head, nullcontext(pool)), (tail, self._pool(1))):
                if not part:
                    continue
                with runner as executor:
                    for batch, output in run_batches(forward, part, self._capacity, executor.run):
                        for segment, estimate in zip(batch, output, strict=True):
                            kept = estimate[..., kept_slice(estimate.shape[-1], segment.length)]
                            where = slice(segment.offset, segment.offset + segment.length)
                            outs[segment.track][..., where] += weight[: segment.length] * kept
                        step(len(batch))
        for index, out in enumerate(outs):
            _divide_by_weights(out, [s for s in plan if s.track == index], weight)
        return outs

    # -- devices and threads --------------------------------------------------------------

    def _to_device(self, mix: torch.Tensor) -> torch.Tensor:
        """The whole mix crosses once; segments are then cut on the device."""
        if self.device.type == "cuda":
            return mix.pin_memory().to(self.device, non_blocking=True)
        return mix.to(self.device)

    def _split_tail(self, group: list[Segment], workers: int) -> tuple[list[Segment], list[Segment]]:
        """The calls that fill every worker, and the last few that cannot.

        11 segments on 2 single-threaded workers would leave one core idle
        for the whole last call; that call runs alone with every core instead.
        """
        if workers <= 1:
            return group, []
        size = self._capacity.batch_size
        calls = -(-len(group) // size)
        cut = (calls - calls % workers) * size
        return group[:cut], group[cut:]

    @contextmanager
    def _pool(self, workers: int) -> Iterator[_Pool]:
        """Where network calls run; on CPU, each worker gets its share of the cores.

        A short track with fewer calls than workers gets fewer, busier
        workers. The thread count is process-wide in torch, so it is set for
        the separation and given back afterwards.
        """
        if self.device.type != "cpu":
            yield _Pool(InlineExecutor(), 1)
            return
        before = torch.get_num_threads()
        share = max(1, self.threads // workers)
        torch.set_num_threads(share)
        try:
            if workers == 1:
                yield _Pool(InlineExecutor(), 1)
            else:
                with ThreadPoolExecutor(
                    workers, "separation", initializer=torch.set_num_threads, initargs=(share,)
                ) as pool:
                    yield _Pool(pool, workers)
        finally:
            torch.set_num_threads(before)


def _divide_by_weights(out: torch.Tensor, plan: Sequence[Segment], weight: torch.Tensor) -> None:
    """``out /= `` the sum of the segments' weights at each sample, a block at a time.

    demucs keeps that sum as a second track-long array; added up block by
    block in the same order instead, it costs a few MB rather than 100 MB
    for a 10-minute song, and the quotients are the same.
    """
    n = out.shape[-1]
    for low in range(0, n, _WEIGHT_BLOCK):
        high = min(n, low + _WEIGHT_BLOCK)
        total = torch.zeros(high - low, device=out.device)
        for segment in plan:
            start, end = max(low, segment.offset), min(high, segment.offset + segment.length)
            if start < end:
                total[start - low : end - low] += weight[start - segment.offset : end - segment.offset]
        out[..., low:high] /= total


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
        members.append(_Member(network, network, row, chosen, fixed))
    return members


def _attribute(model: nn.Module, name: str) -> Any:
    """A demucs model's metadata attribute (sources, samplerate…), which torch types loosely."""
    if not hasattr(model, name):
        raise TypeError(f"{type(model).__name__} is not a demucs model: it has no `{name}`")
    return getattr(model, name)
