"""Fair ordering of waiting jobs: round-robin across users, tier priority within a round.

One fan queueing twenty covers must not starve everyone else: every user with
work gets one job per round; within a round higher tiers go first, then the
user who arrived first; a user returning after a pause joins the current
round; a user never has more than ``per_user_cap`` jobs running at once. Pure
bookkeeping, no I/O, so it is easy to test and to reason about; the embedded
queue drives it.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class WaitingJob:
    request_id: str
    user_id: str
    priority: int


class FairScheduler:
    def __init__(self, per_user_cap: int = 1) -> None:
        if per_user_cap < 1:
            raise ValueError("per_user_cap must be at least 1")
        self._cap = per_user_cap
        self._waiting: dict[str, OrderedDict[str, WaitingJob]] = {}
        self._running: dict[str, int] = {}
        self._round: dict[str, int] = {}
        self._current_round = 0
        self._arrival = itertools.count()
        self._first_seen: dict[str, int] = {}
        self._jobs: dict[str, WaitingJob] = {}
        self._order: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self._jobs)

    def __contains__(self, request_id: object) -> bool:
        return request_id in self._jobs

    def add(self, job: WaitingJob) -> bool:
        """Queue a job; ``False`` if it is already waiting (enqueue is idempotent)."""
        if job.request_id in self._jobs:
            return False
        self._jobs[job.request_id] = job
        self._order = None
        if job.user_id not in self._waiting and job.user_id not in self._running:
            # a user coming back joins the current round: no credit for idle time
            self._round[job.user_id] = max(self._round.get(job.user_id, 0), self._current_round)
        self._waiting.setdefault(job.user_id, OrderedDict())[job.request_id] = job
        self._first_seen.setdefault(job.user_id, next(self._arrival))
        return True

    def remove(self, request_id: str) -> bool:
        job = self._jobs.pop(request_id, None)
        if job is None:
            return False
        self._order = None
        user_jobs = self._waiting[job.user_id]
        del user_jobs[request_id]
        if not user_jobs:
            del self._waiting[job.user_id]
        return True

    def _key(self, user_id: str) -> tuple[int, int, int]:
        head = next(iter(self._waiting[user_id].values()))
        return (self._round[user_id], -head.priority, self._first_seen[user_id])

    def _eligible(self, running: dict[str, int]) -> list[str]:
        return [u for u in self._waiting if running.get(u, 0) < self._cap]

    def pop(self) -> WaitingJob | None:
        """The next job to run, marking its user as running one more."""
        eligible = self._eligible(self._running)
        if not eligible:
            return None
        user = min(eligible, key=self._key)
        job = next(iter(self._waiting[user].values()))
        self.remove(job.request_id)
        self._running[user] = self._running.get(user, 0) + 1
        self._current_round = self._round[user]
        self._round[user] += 1
        self._order = None
        return job

    def done(self, user_id: str) -> None:
        """A job of ``user_id`` finished (whatever the outcome)."""
        left = self._running.get(user_id, 0) - 1
        if left > 0:
            self._running[user_id] = left
        else:
            self._running.pop(user_id, None)

    def order(self) -> list[str]:
        """Request ids in the order they would start if nothing else arrived.

        A user's waiting jobs take consecutive rounds from the user's next
        round; within a round the higher tier goes first, then earlier arrival. The per-user
        cap is ignored (a capped user's jobs are still in line, just later),
        which is what a place-in-line message should say. Cached until the
        waiting set changes, since every acknowledgement asks for a position.
        """
        if self._order is None:
            keyed = []
            for user, jobs in self._waiting.items():
                first_round, seen = self._round[user], self._first_seen[user]
                for k, job in enumerate(jobs.values()):
                    keyed.append(((first_round + k, -job.priority, seen), job.request_id))
            keyed.sort()
            self._order = {rid: n for n, (_, rid) in enumerate(keyed, 1)}
        return list(self._order)

    def position(self, request_id: str) -> int | None:
        if request_id not in self._jobs:
            return None
        if self._order is None:
            self.order()
        assert self._order is not None
        return self._order[request_id]
