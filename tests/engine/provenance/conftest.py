"""Fixtures of the provenance tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine.encode import EncodeFormat, encode
from tests.engine.provenance.material import CLIP_TAGS, RATE, tone


@pytest.fixture
def encoded(tmp_path: Path) -> Callable[[EncodeFormat], Path]:
    """Encode the tone to a fresh file in ``fmt`` with ffmpeg's own tags (as a delivery does)."""
    counter = iter(range(1_000))

    def make(fmt: EncodeFormat) -> Path:
        target = tmp_path / f"clip-{next(counter)}{fmt.suffix}"
        return encode(tone(), RATE, fmt, target, CLIP_TAGS).path

    return make
