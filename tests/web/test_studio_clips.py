"""Clips of a holder's songs: listed with an anonymous fan key, taken down with a reason (the
same effects as `refrain takedown`: the share link answers 410), audited; other holders get 404."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.studio import fan_key
from tests.web.test_studio_songs import two_holders

pytestmark = pytest.mark.asyncio


async def test_a_holder_lists_and_takes_down_a_clip_of_their_song(db_url: str, tmp_path: Path) -> None:
    async with two_holders(db_url, tmp_path) as (world, label, indie):
        clip = await world.app.stores.clips.get(world.clip_id)
        assert clip is not None
        await label.get("/studio/clips")
        assert "Golden Hour" in label.last_text and fan_key(clip.requester_id) in label.last_text
        assert clip.requester_id not in label.last_text  # never the fan's own id
        await indie.get("/studio/clips")
        assert "Golden Hour" not in indie.last_text and "No clips of your songs yet" in indie.last_text
        path = f"/studio/clips/{clip.id}/takedown"
        # another holder: not found, nothing changed (with their own valid CSRF token)
        for target in (path, "/studio/clips/clip-does-not-exist/takedown"):
            response = await indie.post(target, {"why": "mine now"})
            assert response.status == 404 and "isn't one of yours" in indie.last_text
        assert await world.app.stores.deliveries.takedown_of(clip.id) is None
        # no reason, no takedown: the words sit next to the field
        await label.get("/studio/clips")
        empty = await label.post(path, {"why": "   "})
        assert empty.status == 400 and "Say why" in label.last_text and 'id="e-why"' in await empty.text()
        no_csrf = await label.post(path, {"why": "sample not cleared"}, csrf=False)
        assert no_csrf.status == 403
        assert await world.app.stores.deliveries.takedown_of(clip.id) is None
        async with world.browser() as fan:
            assert (await fan.client.get(f"/s/{world.share_id}")).status == 200
        await label.get("/studio/clips")
        done = await label.post(path, {"why": "sample not cleared"})
        assert done.status == 200 and "Taken down: sample not cleared" in label.last_text
        takedown = await world.app.stores.deliveries.takedown_of(clip.id)
        assert takedown is not None and takedown.why == "sample not cleared"
        assert takedown.actor_user_id.startswith("studio:")
        async with world.browser() as fan:
            assert (await fan.client.get(f"/s/{world.share_id}")).status == 410  # the link stops
        await label.get("/studio/audit")
        assert "studio.takedown" in label.last_text and "live → taken down" in label.last_text


async def _trace(browser: object, data: bytes, name: str, *, csrf: str | None) -> tuple[int, str]:
    import html

    from aiohttp import FormData

    form = FormData()
    if csrf is not None:
        form.add_field("csrf", csrf)
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    response = await browser.client.post("/studio/trace", data=form)  # type: ignore[attr-defined]
    return response.status, html.unescape(await response.text())


async def test_tracing_a_file_answers_only_for_the_holder_s_own_songs(db_url: str, tmp_path: Path) -> None:
    async with two_holders(db_url, tmp_path) as (world, label, indie):
        delivery = (await world.app.stores.deliveries.for_clip(world.clip_id))[0]
        data = await world.app.blobs.get_bytes(delivery.sha256)
        await label.get("/studio/trace")
        status, text = await _trace(label, data, "../../etc/found.opus", csrf=label.csrf)
        assert status == 200 and "A clip of your song Golden Hour" in text and world.clip_id in text
        await indie.get("/studio/trace")
        status, text = await _trace(indie, data, "found.opus", csrf=indie.csrf)
        assert status == 200 and "Not one of your songs" in text and "Golden Hour" not in text
        status, text = await _trace(label, b"not audio at all" * 100, "notes.txt", csrf=label.csrf)
        assert status == 200 and "Not one of your songs" in text
        status, _ = await _trace(label, data, "found.opus", csrf=None)
        assert status == 403
        status, _ = await _trace(label, data, "found.opus", csrf="0" * 64)
        assert status == 403
        status, text = await _trace(label, b"", "empty.opus", csrf=label.csrf)
        assert status == 400 and "empty" in text
        # nothing the sender named was written anywhere
        assert not (tmp_path / "etc").exists() and not Path("/etc/found.opus").exists()
