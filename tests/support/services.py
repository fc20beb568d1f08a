"""Real services for tests: use them, or skip loudly (fail in CI) when they are down."""

from __future__ import annotations

import os
import socket

import pytest

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip (with a loud reason) on a developer machine, fail in CI, when a service is down."""
    if _reachable(host, port):
        return
    message = f"{name} at {host}:{port} is down — these tests did not run"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must start it: see .ci/services)")
    pytest.skip(message)


def require_redis() -> str:
    require_service("Redis", REDIS_HOST, REDIS_PORT)
    return f"redis://{REDIS_HOST}:{REDIS_PORT}"
