"""The dashboard: clips made, plays per day by usage (an SVG chart and a table), top styles and
platforms, per song and in total, counted from the play log; other holders' songs are 404."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from core.ids import uuid7
from core.model import Origin, PlayEvent, UsageType
from tests.web.conftest import BOTH_BACKENDS
from tests.web.studio_support import StudioWorld
from tests.web.test_studio_songs import LABEL_SONG, OTHER_SONG, two_holders

pytestmark = pytest.mark.asyncio


async def _plays(world: StudioWorld) -> None:
    now = world.clock.now()
    events = []
    for day, (deliveries, streams) in enumerate([(2, 5), (0, 3), (1, 0)]):
        at = now - timedelta(days=day, hours=1)
        for n in range(deliveries + streams):
            usage = UsageType.DELIVERY if n < deliveries else UsageType.STREAM
            platform = "discord" if n % 2 else "web"
            events.append(PlayEvent(str(uuid7()), world.clip_id, None, usage, f"{day}-{n:062x}", platform,
                                    Origin.SHARED_LINK, 30_000, "DE", at, at))
    old = now - timedelta(days=40)  # outside the 30-day window
    events.append(PlayEvent(str(uuid7()), world.clip_id, None, UsageType.STREAM, "f" * 64, "web",
                            Origin.SHARED_LINK, 30_000, "DE", old, old))
    await world.app.stores.plays.append(events)


def _table(text: str) -> list[tuple[int, int]]:
    rows = re.findall(r"<tr><td>\d{4}-\d\d-\d\d</td><td>(\d+)</td><td>(\d+)</td></tr>", text)
    return [(int(a), int(b)) for a, b in rows]


@BOTH_BACKENDS
async def test_the_dashboard_counts_plays_per_day_clips_styles_and_platforms(
    db_url: str, tmp_path: Path
) -> None:
    async with two_holders(db_url, tmp_path) as (world, label, indie):
        await _plays(world)
        for path in ("/studio/dashboard", f"/studio/songs/{LABEL_SONG}/dashboard"):
            response = await label.client.get(path)
            raw = await response.text()
            assert response.status == 200, path
            assert "<svg" in raw and 'role="img"' in raw and "<script" not in raw
            rows = _table(raw)
            assert len(rows) == 30
            assert rows[-3:] == [(1, 0), (0, 3), (2, 5)]  # oldest first: two days ago … today
            assert sum(d for d, _ in rows) == 3 and sum(s for _, s in rows) == 8
            assert re.search(r'<strong id="clips">1</strong>', raw)
            assert "lofi: 11 plays" in raw
            assert "web: 7 plays" in raw and "discord: 4 plays" in raw
        # the independent's dashboard counts none of it; Big Label's song is not theirs
        response = await indie.client.get("/studio/dashboard")
        raw = await response.text()
        assert sum(d + s for d, s in _table(raw)) == 0 and '<strong id="clips">0</strong>' in raw
        assert (await indie.client.get(f"/studio/songs/{LABEL_SONG}/dashboard")).status == 404
        assert (await indie.client.get(f"/studio/songs/{OTHER_SONG}/dashboard")).status == 200
