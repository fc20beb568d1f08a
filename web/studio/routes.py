"""The studio's routes under ``/studio``, and the setup that mounts them on the web application."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from web.studio import access, earnings, songs
from web.studio.state import STUDIO, StudioWeb

_RECORDING = "{recording_id}"


def studio_routes() -> list[web.RouteDef]:
    return [
        web.get("/studio", access.home),
        web.get("/studio/login", access.login_page),
        web.post("/studio/login", access.login),
        web.get("/studio/signup", access.signup_page),
        web.post("/studio/signup", access.signup),
        web.get("/studio/join/{token}", access.join_page),
        web.post("/studio/join/{token}", access.join),
        web.post("/studio/logout", access.logout),
        web.post("/studio/logout-everywhere", access.logout_everywhere),
        web.get("/studio/account", songs.account),
        web.get("/studio/account/totp", songs.totp_setup),
        web.post("/studio/account/totp", songs.totp_enable),
        web.post("/studio/account/totp/off", songs.totp_disable),
        web.get("/studio/songs", songs.songs),
        web.get(f"/studio/songs/{_RECORDING}", songs.song),
        web.post(f"/studio/songs/{_RECORDING}/terms", songs.set_terms),
        web.get(f"/studio/songs/{_RECORDING}/opt-out", songs.opt_out_page),
        web.post(f"/studio/songs/{_RECORDING}/opt", songs.set_opt),
        web.get("/studio/audit", songs.audit),
        web.get("/studio/clips", songs.clips),
        web.get("/studio/trace", songs.trace_page),
        web.post("/studio/trace", songs.trace),
        web.post("/studio/clips/{clip_id}/takedown", songs.take_down),
        web.get("/studio/dashboard", earnings.dashboard),
        web.get(f"/studio/songs/{_RECORDING}/dashboard", earnings.song_dashboard),
        web.get("/studio/statements", earnings.statements),
        web.get("/studio/statements/{party_id}/{period}", earnings.statement),
        web.get("/studio/statements/{party_id}/{period}/{fmt}", earnings.download),
    ]


def mount_studio(application: web.Application, studio: StudioWeb) -> None:
    """Templates (autoescaped), the studio's state and its routes on ``application``."""
    folder = Path(str(resources.files("web.studio") / "templates"))
    aiohttp_jinja2.setup(
        application,
        loader=jinja2.FileSystemLoader(folder),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
    )
    application[STUDIO] = studio
    application.add_routes(studio_routes())
