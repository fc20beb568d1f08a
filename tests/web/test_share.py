"""GET /s/<share_id>: the share page, its player, credits, preview tags and listener cookie."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from core.model import OptDeclaration, SubjectKind
from tests.web.conftest import BOTH_BACKENDS
from tests.web.support import WebWorld, web_client


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.scripts: list[str | None] = []
        self.audio: dict[str, str | None] = {}
        self.links: list[str] = []
        self.inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta":
            key = a.get("property") or a.get("name")
            if key:
                self.meta[key] = a.get("content") or ""
        elif tag == "script":
            self.scripts.append(a.get("src"))
        elif tag == "audio":
            self.audio = a
        elif tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


@BOTH_BACKENDS
async def test_the_share_page_has_a_player_credits_and_preview_tags(world: WebWorld) -> None:
    async with web_client(world) as client:
        response = await client.get(f"/s/{world.delivery.share_id}")
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "no-store" in response.headers["Cache-Control"]
        html = await response.text()
        tags = parse(html)
        assert "Golden Hour" in tags.meta["og:title"] and "Lo-fi" in tags.meta["og:title"]
        assert tags.meta["twitter:card"] == "summary"
        assert "Wren Writer" in tags.meta["og:description"]
        assert tags.meta["og:url"].endswith(f"/s/{world.delivery.share_id}")
        assert tags.meta["og:audio:type"] == "audio/ogg"
        for credit in ("Wren Writer", "Wren", "Lo-fi", "Licensed AI cover via Refrain"):
            assert credit in html
        # the player's own link works: signed, same origin
        src = tags.audio["src"]
        assert src is not None and src.startswith(f"/c/{world.delivery.id}.opus?exp=")
        clip = await client.get(src.replace("&amp;", "&"))
        assert clip.status == 200 and await clip.read() == world.file_bytes
        # no third-party scripts, and the CSP says so too
        assert tags.scripts and all(s is not None and s.startswith("/static/") for s in tags.scripts)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert any("Make your own" in html and link.endswith("/") for link in tags.links)
        script = await client.get(str(tags.scripts[0]))
        assert script.status == 200 and "text/javascript" in script.headers["Content-Type"]


async def test_voice_credits_name_the_consenting_owner(world: WebWorld, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, delivery = await world.deliver_again(voice_model_id="voice-ada", folder=tmp_path)
    async with web_client(world) as client:
        html = await (await client.get(f"/s/{delivery.share_id}")).text()
        assert "Ada" in html and "Ada Voice" in html and "with consent" in html


async def test_each_load_gets_its_own_token_and_the_cookie_is_first_party(world: WebWorld) -> None:
    async with web_client(world) as client:
        first = await client.get(f"/s/{world.delivery.share_id}")
        cookie = first.cookies["refrain_lid"]
        assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
        second = await client.get(f"/s/{world.delivery.share_id}")
        assert "refrain_lid" not in second.cookies  # the browser's cookie came back and is kept
        token = re.compile(r'data-token="([^"]+)"')
        t1 = token.search(await first.text())
        t2 = token.search(await second.text())
        assert t1 and t2 and t1.group(1) != t2.group(1)


async def test_unknown_and_malformed_share_ids_are_404(world: WebWorld) -> None:
    async with web_client(world) as client:
        for share_id in ("doesnotexist", "a", "<script>", "..%2F..%2Fetc"):
            response = await client.get(f"/s/{share_id}")
            assert response.status == 404
            assert "<script>" not in await response.text()
        assert (await client.post(f"/s/{world.delivery.share_id}")).status == 405


async def test_opted_out_works_take_their_pages_down(world: WebWorld) -> None:
    async with web_client(world) as client:
        assert (await client.get(f"/s/{world.delivery.share_id}")).status == 200
        await world.app.stores.catalog.add_opt_declaration(
            OptDeclaration(SubjectKind.WORK, "work-1", "party-writer", opted_in=False,
                           declared_at=world.clock.now())
        )
        gone = await client.get(f"/s/{world.delivery.share_id}")
        assert gone.status == 410
        assert "no longer available" in await gone.text()
