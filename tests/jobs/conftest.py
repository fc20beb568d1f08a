from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.rendering import RenderWorld, build_render_world


@pytest.fixture
async def render_world(tmp_path: Path) -> RenderWorld:
    return await build_render_world(tmp_path)
