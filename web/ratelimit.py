"""Token buckets per key (client IP, listener), in bounded memory.

A beacon flood must cost the server a dictionary lookup, not a database
write, and must not grow memory without bound: buckets live in an LRU of
``max_entries``; a dropped bucket comes back full, which only ever errs
towards letting a quiet client through. Per process: behind several web
processes each enforces its own share, which is the point of a local limit.
"""

from __future__ import annotations

from collections import OrderedDict


class RateLimiter:
    """``rate_per_min`` tokens a minute, at most ``burst`` saved up, per key."""

    def __init__(self, rate_per_min: float, burst: int, *, max_entries: int) -> None:
        if rate_per_min <= 0 or burst <= 0 or max_entries <= 0:
            raise ValueError("rate, burst and max_entries must be positive")
        self._rate = rate_per_min / 60.0
        self._burst = float(burst)
        self._max = max_entries
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, key: str, now: float) -> bool:
        """Take one token for ``key`` at monotonic time ``now``; False when none is left."""
        tokens, last = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + max(0.0, now - last) * self._rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[key] = (tokens, now)
        self._buckets.move_to_end(key)
        if len(self._buckets) > self._max:
            self._buckets.popitem(last=False)
        return allowed

    def retry_after_s(self) -> int:
        """Seconds until one token is back."""
        return max(1, round(1.0 / self._rate))

    def __len__(self) -> int:
        return len(self._buckets)
