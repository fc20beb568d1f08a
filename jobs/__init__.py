"""The job machinery: the queue port's two implementations and what runs a render.

``EmbeddedQueue`` (in-process, ``refrain serve``) and ``ArqQueue`` (Redis,
``refrain worker`` via ``run_worker``) both run ``RenderJob``, which claims a
request under a lease, renders in stoppable processes (``audio_runner``),
hands over the fan's own copy and answers ``RetryIn`` when it must wait;
``StemWarmer`` separates recordings imported without stems before anyone asks.
``resources`` builds the job from settings for either process; ``metrics``
counts what every process does; ``collect_garbage`` keeps the blob store bounded.
"""

from jobs.arq_queue import ArqQueue, QueueUnavailable, connect, redis_client
from jobs.embedded import EmbeddedQueue
from jobs.events import LocalEventBus
from jobs.failures import JobFailure, RetryIn
from jobs.maintenance import GcReport, collect_garbage
from jobs.memory import InMemoryQueue
from jobs.pipeline import RenderJob, RenderSettings
from jobs.resources import (
    build_render_job,
    delivery_service,
    has_separation_weights,
    marking_keys,
    separation_source,
    stem_warmer,
    temp_dir,
    warm_list,
)
from jobs.runners import AudioRunner, audio_runner
from jobs.separation import SeparatedStems
from jobs.warming import StemWarmer
from jobs.worker import run_worker

__all__ = [
    "ArqQueue",
    "AudioRunner",
    "EmbeddedQueue",
    "GcReport",
    "InMemoryQueue",
    "JobFailure",
    "LocalEventBus",
    "QueueUnavailable",
    "RenderJob",
    "RenderSettings",
    "RetryIn",
    "SeparatedStems",
    "StemWarmer",
    "audio_runner",
    "build_render_job",
    "collect_garbage",
    "connect",
    "delivery_service",
    "has_separation_weights",
    "marking_keys",
    "redis_client",
    "run_worker",
    "separation_source",
    "stem_warmer",
    "temp_dir",
    "warm_list",
]
