"""Identifier helpers.

Ids are UUIDv7 (time-ordered, so database indexes stay append-friendly) or
content hashes. Python 3.11 has no ``uuid.uuid7``; this is the RFC 9562 layout.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> uuid.UUID:
    """Return a new UUIDv7, monotonic within this process.

    A 12-bit counter in ``rand_a`` keeps ids created in the same millisecond
    ordered, which matters for append-only logs sorted by id.
    """
    global _last_ms, _counter
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms <= _last_ms:
            _counter += 1
            if _counter > 0xFFF:
                _last_ms += 1
                _counter = 0
            now_ms = _last_ms
        else:
            _last_ms = now_ms
            _counter = 0
        counter = _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (now_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)


def new_id() -> str:
    """A fresh UUIDv7 as its canonical string."""
    return str(uuid7())


def sha256_hex(data: bytes) -> str:
    """Content address of ``data``."""
    return hashlib.sha256(data).hexdigest()
