"""Keep the device busy with batches, and back off when memory runs out.

On a CPU, several calls run at once in worker threads, each with its share
of the cores (torch releases the GIL inside its kernels), instead of one call
spread over every core. On an idle machine the two are close (1.08× for
HTDemucs on 2 cores, measured); when other processes share the cores the
workers keep going where one call's OpenMP team stalls at every barrier
waiting for its slowest thread (up to 1.9× per pair of segments, measured
under load). On a GPU a single caller already queues work asynchronously, so
calls run inline.

Out of memory is recoverable: the batches that failed go back in the queue
and the capacity shrinks (half the batch, then one worker fewer) for the rest
of this separation and the next ones. Only one segment on one worker failing
is final.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import torch

from core.errors import RefrainError
from engine.separation._chunks import Segment

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

Forward = Callable[[list[Segment]], torch.Tensor]
"""Runs the network on a batch of segments: ``(batch, sources, channels, samples)``."""


@dataclass
class Capacity:
    """How much runs at once: segments per call and concurrent calls."""

    batch_size: int
    workers: int


class OutOfCapacity(RefrainError):
    """One segment on one worker did not fit."""


class InlineExecutor(Executor):
    """Runs each call at once in the caller's thread (CUDA, or a single worker)."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # delivered through the future, like a thread pool
            future.set_exception(exc)
        return future


def run_batches(
    forward: Forward, segments: list[Segment], capacity: Capacity, pool: Executor
) -> Iterator[tuple[list[Segment], torch.Tensor]]:
    """Each batch of ``segments`` with its network output, as they complete, in order."""
    pending = deque(segments)
    in_flight: deque[tuple[list[Segment], Future[torch.Tensor]]] = deque()
    while pending or in_flight:
        # Two calls per worker in flight, so a worker never waits for us.
        while pending and len(in_flight) < 2 * capacity.workers:
            batch = [pending.popleft() for _ in range(min(capacity.batch_size, len(pending)))]
            in_flight.append((batch, pool.submit(forward, batch)))
        batch, future = in_flight.popleft()
        try:
            output = future.result()
        except (torch.OutOfMemoryError, RuntimeError) as exc:
            if not is_out_of_memory(exc):
                raise
            failed = [batch]
            for other_batch, other in in_flight:  # let the others finish before retrying
                try:
                    yield other_batch, other.result()
                except (torch.OutOfMemoryError, RuntimeError) as other_exc:
                    if not is_out_of_memory(other_exc):
                        raise
                    failed.append(other_batch)
            in_flight.clear()
            _shrink(capacity, len(batch))
            pending.extendleft(reversed([segment for lost in failed for segment in lost]))
            continue
        yield batch, output


def is_out_of_memory(exc: BaseException) -> bool:
    """CUDA's ``OutOfMemoryError``, or an allocator's "out of memory" runtime error."""
    if isinstance(exc, torch.OutOfMemoryError):
        return True
    message = str(exc).lower()
    return "out of memory" in message or "can't allocate memory" in message


def _shrink(capacity: Capacity, failed_batch: int) -> None:
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    if failed_batch > 1:
        capacity.batch_size = max(1, failed_batch // 2)
    elif capacity.workers > 1:
        capacity.workers -= 1
    else:
        raise OutOfCapacity
    log.warning(
        "separation ran out of memory with %d segments per call; now %d per call on %d workers",
        failed_batch,
        capacity.batch_size,
        capacity.workers,
    )
