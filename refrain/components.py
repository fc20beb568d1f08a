"""What ``refrain serve`` runs beside the queue: the bots and the web server.

Each component is an async context manager over the open ``App``: entering it
starts the component (connects, binds), leaving it stops it cleanly. Only
configured components run (a bot without a token is not started).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from config import RefrainSettings
from refrain.app import App

log = logging.getLogger(__name__)

Component = Callable[[App], AbstractAsyncContextManager[None]]


def serve_components(settings: RefrainSettings) -> list[tuple[str, Component]]:
    """(name, component) for everything this deployment's settings ask ``serve`` to run."""
    components: list[tuple[str, Component]] = []
    return components
