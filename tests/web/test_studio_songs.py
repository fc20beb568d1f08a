"""A holder's songs in the studio: terms as a new license version, opting in and out, the audit,
and the other-holder walk: every studio route, asked by another holder with the first holder's
ids or with tampered forms, answers 404 and changes nothing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from fractions import Fraction
from pathlib import Path

import pytest

from core.commands import CoverCommand
from core.entitlements import Denied, DenyCode
from core.model import RightType, Share, SubjectKind
from core.ports import CatalogBatch
from core.requests import Queued, Requester
from tests.storage.factories import T0
from tests.web.conftest import BOTH_BACKENDS
from tests.web.studio_support import Browser, StudioWorld, studio_world
from web.studio import studio_routes

pytestmark = pytest.mark.asyncio

LABEL_SONG = "rec-1"  # Big Label holds its MASTER
OTHER_SONG = "rec-2"  # given to the independent below


@asynccontextmanager
async def two_holders(db_url: str, tmp_path: Path) -> AsyncIterator[tuple[StudioWorld, Browser, Browser]]:
    """Big Label's account (by invitation) and an independent's (by sign-up, owning rec-2)."""
    async with studio_world(db_url, tmp_path) as world, world.browser() as label, \
            world.browser() as indie:
        link = await world.app.studio.accounts.invite("party-label", "http://studio.test")
        await label.join(link, "ops@biglabel.example")
        await label.log_in("ops@biglabel.example")
        await indie.sign_up("nova@example.com", "Nova Lane")
        await indie.log_in("nova@example.com")
        account = await world.app.database.studio.account_by_email("nova@example.com")
        assert account is not None
        (party,) = account.party_ids
        await world.app.stores.catalog.import_batch(CatalogBatch(shares=[
            Share(SubjectKind.RECORDING, OTHER_SONG, party, RightType.MASTER, Fraction(1))]), T0)
        yield world, label, indie


def terms_form(**overrides: object) -> list[tuple[str, str]]:
    values: dict[str, object] = {
        "kinds": ["COVER"], "styles": ["lofi", "acoustic"], "every_style": None,
        "seconds_free": "30", "seconds_fan": "", "seconds_pro": "",
        "territories": "DE, AT, CH", "voices": [],
    }
    values.update(overrides)
    fields: list[tuple[str, str]] = []
    for name, value in values.items():
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            fields.append((name, str(item)))
    return fields


async def _versions(world: StudioWorld, recording_id: str) -> int:
    license_ = await world.app.stores.catalog.current_license(recording_id)
    return license_.version if license_ is not None else 0


async def _opts(world: StudioWorld, recording_id: str) -> int:
    return len(await world.app.stores.catalog.opt_declarations(SubjectKind.RECORDING, recording_id))


async def _submit(world: StudioWorld, style: str = "lofi", country: str = "DE") -> object:
    """A fan (who accepted the terms of use) asks for Golden Hour through the core use case."""
    user = await world.app.stores.users.get_or_create("console", "fan", "Fan", T0)
    await world.app.stores.users.accept_terms(user.id, world.app.settings.terms_version, T0)
    who = Requester("console", "fan", "Fan", "guild-1", "general", f"m-{style}-{country}", country=country)
    return await world.app.requests.submit(who, CoverCommand("Golden Hour", style=style, seconds=10))


@BOTH_BACKENDS
async def test_terms_become_a_new_license_version_said_in_one_sentence(db_url: str, tmp_path: Path) -> None:
    async with two_holders(db_url, tmp_path) as (world, label, _):
        before = await _versions(world, LABEL_SONG)
        await label.get(f"/studio/songs/{LABEL_SONG}")
        response = await label.post(f"/studio/songs/{LABEL_SONG}/terms", terms_form())
        assert response.status == 200
        sentence = ("Fans on the free tier can make 30-s acoustic or lo-fi covers in AT, CH and DE; "
                    "no voice swaps")
        assert sentence in label.last_text and "new license version" in label.last_text
        assert await _versions(world, LABEL_SONG) == before + 1
        license_ = await world.app.stores.catalog.current_license(LABEL_SONG)
        assert license_ is not None
        terms = license_.terms
        assert terms.styles == {"lofi", "acoustic"} and terms.territories == {"DE", "AT", "CH"}
        assert terms.max_seconds_by_tier == {"free": 30}
        # the revenue buckets of the version before are kept: royalties need no new rule
        previous = await world.app.stores.catalog.get_license(license_.id, before)
        assert previous is not None and terms.bucket_templates == previous.terms.bucket_templates
        # the entitlement engine reads it on the next request
        off_style = await _submit(world, "synthwave")
        assert isinstance(off_style, Denied) and off_style.code is DenyCode.STYLE_NOT_LICENSED
        refused = await _submit(world, "lofi", "US")
        assert isinstance(refused, Denied) and refused.code is DenyCode.TERRITORY
        assert isinstance(await _submit(world, "lofi", "DE"), Queued)
        # the same terms again: no new version
        await label.post(f"/studio/songs/{LABEL_SONG}/terms", terms_form())
        assert await _versions(world, LABEL_SONG) == before + 1
        await label.get("/studio/songs")
        assert sentence in label.last_text


@pytest.mark.parametrize(("override", "field", "words"), [
    ({"territories": "Germany"}, "territories", "not a two-letter country code"),
    ({"territories": "WW DE"}, "territories", "WW already means worldwide"),
    ({"seconds_free": "45"}, "seconds_free", "at most 30 s"),
    ({"seconds_free": "ten"}, "seconds_free", "whole number of seconds"),
    ({"styles": ["polka"]}, "styles", "not a style in the style book"),
    ({"styles": []}, "styles", "at least one style"),
    ({"kinds": ["TELEPORT"]}, "kinds", "not a kind of clip"),
    ({"kinds": ["COVER", "VOICE_SWAP"], "voices": ["voice-nobody"]}, "voices", "not a consented voice"),
])
async def test_bad_terms_are_named_next_to_their_field_and_nothing_is_written(
    db_url: str, tmp_path: Path, override: dict[str, object], field: str, words: str
) -> None:
    async with two_holders(db_url, tmp_path) as (world, label, _):
        before = await _versions(world, LABEL_SONG)
        await label.get(f"/studio/songs/{LABEL_SONG}")
        response = await label.post(f"/studio/songs/{LABEL_SONG}/terms", terms_form(**override))
        assert response.status == 400
        raw = await response.text()
        assert re.search(rf'id="e-{field}"', raw), raw
        assert words in label.last_text
        assert await _versions(world, LABEL_SONG) == before


async def test_opting_out_is_explained_first_and_takes_effect_on_the_next_request(
    db_url: str, tmp_path: Path
) -> None:
    async with two_holders(db_url, tmp_path) as (world, label, _):
        assert isinstance(await _submit(world), Queued)
        await label.get(f"/studio/songs/{LABEL_SONG}/opt-out")
        assert "no fan can make a new clip" in label.last_text
        assert "Links to clips already made stop playing" in label.last_text
        unconfirmed = await label.post(f"/studio/songs/{LABEL_SONG}/opt", {"opted_in": "0"})
        assert unconfirmed.status == 400 and await _opts(world, LABEL_SONG) == 0
        await label.get(f"/studio/songs/{LABEL_SONG}/opt-out")
        await label.post(f"/studio/songs/{LABEL_SONG}/opt", {"opted_in": "0", "confirm": "yes"})
        assert "Opted out" in label.last_text and await _opts(world, LABEL_SONG) == 1
        refused = await _submit(world, country="AT")
        assert isinstance(refused, Denied) and refused.code is DenyCode.WORK_OPTED_OUT
        async with world.browser() as fan:
            share = await fan.client.get(f"/s/{world.share_id}")
            assert share.status == 410  # existing links stop
        await label.post(f"/studio/songs/{LABEL_SONG}/opt", {"opted_in": "1"})
        assert "Opted in" in label.last_text and await _opts(world, LABEL_SONG) == 2
        assert isinstance(await _submit(world, country="CH"), Queued)


async def test_each_holder_sees_their_own_changes(db_url: str, tmp_path: Path) -> None:
    async with two_holders(db_url, tmp_path) as (_world, label, indie):
        await label.get(f"/studio/songs/{LABEL_SONG}")
        await label.post(f"/studio/songs/{LABEL_SONG}/terms", terms_form())
        await label.get("/studio/audit")
        assert "studio.terms" in label.last_text and "Golden Hour:" in label.last_text
        assert "→" in label.last_text and "you" in label.last_text
        await indie.get("/studio/audit")
        assert "Golden Hour" not in indie.last_text and "studio.terms" not in indie.last_text
        await indie.get("/studio/songs")
        assert "Night Drive" in indie.last_text and "Golden Hour" not in indie.last_text


async def test_pages_need_a_session(db_url: str, tmp_path: Path) -> None:
    async with studio_world(db_url, tmp_path) as world, world.browser() as stranger:
        for route in studio_routes():
            path = route.path.format(recording_id=LABEL_SONG, token="x" * 20, party_id="party-label",
                                     period="2026-11", fmt="csv", clip_id="clip-x")
            if route.path in _PUBLIC:
                continue
            response = await stranger.client.request(route.method, path, allow_redirects=False,
                                                     data={"opted_in": "0", "confirm": "yes"})
            assert response.status == 303 and response.headers["Location"] == "/studio/login", path
        assert await _opts(world, LABEL_SONG) == 0


_PUBLIC = {"/studio", "/studio/login", "/studio/signup", "/studio/join/{token}"}


async def test_every_studio_route_answers_another_holder_with_404_and_changes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    """The other-holder walk: the independent uses Big Label's ids on every route that takes one."""
    async with two_holders(db_url, tmp_path) as (world, label, indie):
        with_ids = [r for r in studio_routes() if "{recording_id}" in r.path]
        assert {(r.method, r.path) for r in with_ids} == {
            ("GET", "/studio/songs/{recording_id}"),
            ("POST", "/studio/songs/{recording_id}/terms"),
            ("GET", "/studio/songs/{recording_id}/opt-out"),
            ("POST", "/studio/songs/{recording_id}/opt"),
            ("GET", "/studio/songs/{recording_id}/dashboard"),
        }, "a new route with an id: add it to this walk"
        others = {r.path for r in studio_routes() if "{" in r.path and r not in with_ids}
        assert others == {"/studio/join/{token}", "/studio/statements/{party_id}/{period}",
                          "/studio/statements/{party_id}/{period}/{fmt}",
                          "/studio/clips/{clip_id}/takedown"}, \
            "statements and clips are walked in their own tests; invitations in test_studio_accounts"
        forms = {
            "/studio/songs/{recording_id}/terms": terms_form(),
            "/studio/songs/{recording_id}/opt": [("opted_in", "0"), ("confirm", "yes")],
        }
        versions, opts = await _versions(world, LABEL_SONG), await _opts(world, LABEL_SONG)
        audit = len(await world.app.database.studio.audit_of(frozenset({"party-label"})))
        await indie.get("/studio/songs")
        for target in (LABEL_SONG, "rec-does-not-exist", "../" + LABEL_SONG, "x" * 200):
            for route in with_ids:
                path = route.path.replace("{recording_id}", target)
                if route.method == "GET":
                    response = await indie.get(path)
                else:
                    response = await indie.post(path, forms[route.path])
                assert response.status == 404, (route.method, path, response.status)
                assert "isn't one of yours" in indie.last_text or response.status == 404
                assert "Golden Hour" not in indie.last_text
        # a stranger's id and a missing one read the same
        await indie.get(f"/studio/songs/{LABEL_SONG}")
        theirs = indie.last_text
        await indie.get("/studio/songs/rec-does-not-exist")
        assert indie.last_text.replace(indie.csrf, "") == theirs.replace(indie.csrf, "")
        # tampered forms on the holder's own song: another party's voice, a wrong CSRF token
        await indie.get(f"/studio/songs/{OTHER_SONG}")
        own_versions = await _versions(world, OTHER_SONG)
        tampered = await indie.post(f"/studio/songs/{OTHER_SONG}/terms",
                                    terms_form(kinds=["VOICE_SWAP"], voices=["voice-of-label"]))
        assert tampered.status == 400
        forged = await indie.client.post(f"/studio/songs/{OTHER_SONG}/terms",
                                         data=[*terms_form(), ("csrf", label.csrf)])
        assert forged.status == 403
        assert await _versions(world, OTHER_SONG) == own_versions
        # nothing of Big Label's changed, and its log shows nothing new
        assert await _versions(world, LABEL_SONG) == versions
        assert await _opts(world, LABEL_SONG) == opts
        assert len(await world.app.database.studio.audit_of(frozenset({"party-label"}))) == audit


async def test_a_terms_post_without_the_csrf_token_changes_nothing(db_url: str, tmp_path: Path) -> None:
    async with two_holders(db_url, tmp_path) as (world, label, _):
        before = await _versions(world, LABEL_SONG)
        await label.get(f"/studio/songs/{LABEL_SONG}")
        missing = await label.post(f"/studio/songs/{LABEL_SONG}/terms", terms_form(), csrf=False)
        wrong = await label.client.post(f"/studio/songs/{LABEL_SONG}/terms",
                                        data=[*terms_form(), ("csrf", "f" * 64)])
        opt = await label.client.post(f"/studio/songs/{LABEL_SONG}/opt",
                                      data=[("opted_in", "0"), ("confirm", "yes")])
        assert missing.status == wrong.status == opt.status == 403
        assert await _versions(world, LABEL_SONG) == before and await _opts(world, LABEL_SONG) == 0
