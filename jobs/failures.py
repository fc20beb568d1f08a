"""How a render attempt can end other than delivered, and what each means for the fan.

Two kinds of trouble: the request itself cannot be made (a revoked voice, a
song without stems: ``JobFailure``, said to the fan, quota refunded), or the
machinery hiccupped (the database or Redis unreachable, the blob store not
writable, a render process killed: ``is_transient``) and the request waits
and is tried again. Only the first kind ever reaches a fan as a failure,
and then in words that name no host, port, path or SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import UserFacing
from jobs.processes import ProcessDied
from storage import StorageUnavailable


class JobFailure(UserFacing):
    """A failure whose message can be shown to the fan as it is."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.user_message = message
        self.transient = transient


UserFacingError = JobFailure  # the name the separation source and older code use


@dataclass(frozen=True)
class RetryIn:
    """The job should run again after ``seconds`` (the request stays QUEUED or RUNNING)."""

    seconds: float
    reason: str


def is_infrastructure(exc: BaseException) -> bool:
    """The database or the file system failed us (down, unreachable, read-only): wait, retry.

    ``OSError`` covers connection errors, timeouts and a blob store that
    refuses writes; none of them says anything about the request itself.
    """
    return isinstance(exc, StorageUnavailable | OSError)


def is_retryable_render(exc: BaseException) -> bool:
    """A render attempt that may well succeed if tried again at once (memory, a killed child)."""
    if isinstance(exc, JobFailure):
        return exc.transient
    return isinstance(exc, MemoryError | ProcessDied)


def backoff_s(try_number: int, *, base_s: float = 0.5, cap_s: float = 30.0) -> float:
    """0.5, 1, 2, 4 … seconds, at most ``cap_s``: patient with outages, quick after blips."""
    return float(min(cap_s, base_s * 2.0 ** max(0, try_number - 1)))
