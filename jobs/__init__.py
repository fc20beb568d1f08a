"""The job machinery: the queue port's two implementations and what runs a render.

``EmbeddedQueue`` (in-process, ``refrain serve``) and ``ArqQueue`` (Redis,
``refrain worker`` via ``run_worker``) both run ``RenderJob``, which claims a
request under a lease, renders in stoppable processes (``audio_runner``),
hands over the fan's own copy and answers ``RetryIn`` when it must wait.
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
from jobs.resources import build_render_job, delivery_service, marking_keys, temp_dir
from jobs.runners import AudioRunner, audio_runner
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
    "audio_runner",
    "build_render_job",
    "collect_garbage",
    "connect",
    "delivery_service",
    "marking_keys",
    "redis_client",
    "run_worker",
    "temp_dir",
]
