"""`refrain demo`: a scripted session of fans and a moderator on a fresh local setup.

It builds a throw-away SQLite database under the demo folder, installs the
synthesized demo catalog, then plays lines through the console adapter —
exactly what a person would type — and prints what Refrain answered plus a
summary table. The songs are picked by their rights (the territory-limited
one, the one with a revoked voice…) rather than by hard-coded names.
"""

from __future__ import annotations

import re
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bots.console import ConsoleSession, render_reply
from config import RefrainSettings
from core.catalog import demo_catalog
from core.deliveries import delivery_problem
from core.model import WORLDWIDE, RequestState, Transformation
from core.ports import CatalogBatch
from core.requests import short_id
from engine import run_tool, write_sidecar
from jobs import EmbeddedQueue
from refrain.app import App, open_app
from refrain.catalog_files import install_demo_catalog
from refrain.royalty_demo import royalty_demo
from storage import upgrade

Echo = Callable[[str], None]


@dataclass(frozen=True)
class Step:
    who: str
    text: str
    outcome: str
    summary: str


@dataclass(frozen=True)
class DemoSongs:
    """Demo songs picked by the rights situation each one illustrates."""

    open_song: str  # licensed for covers in any style, worldwide
    regional_song: str  # licensed in a few countries only
    cover_only_song: str  # no REMIX in its license
    revoked_voice: str
    active_voice: str | None
    voice_song: str | None  # licensed for VOICE_SWAP with the active voice


def pick_songs(batch: CatalogBatch) -> DemoSongs:
    titles = {r.id: r.title for r in batch.recordings}
    licenses = dict(batch.licenses)
    opted_out = {d.subject_id for d in batch.opt_declarations if not d.opted_in}
    work_of = {r.id: r.work_id for r in batch.recordings}
    usable = [rid for rid in titles if rid not in opted_out and work_of[rid] not in opted_out]

    def find(pred: Callable[[str], bool]) -> str:
        for rid in usable:
            if pred(rid):
                return titles[rid]
        raise LookupError("the demo catalog lacks a song the script needs")

    open_song = next(
        (titles[r] for r in usable if titles[r] == "Golden Hour"),
        find(lambda r: WORLDWIDE in licenses[r].territories and licenses[r].styles is None),
    )
    regional = find(lambda r: WORLDWIDE not in licenses[r].territories)
    cover_only = find(
        lambda r: Transformation.REMIX not in licenses[r].transformations
        and WORLDWIDE in licenses[r].territories
    )
    revoked = next(v.name for v in batch.voice_models if v.revoked_at is not None)
    active = next((v for v in batch.voice_models if v.revoked_at is None), None)
    voice_song = None
    if active is not None:
        voice_song = next(
            (
                titles[r]
                for r in usable
                if active.id in licenses[r].voice_models
                and Transformation.VOICE_SWAP in licenses[r].transformations
                and WORLDWIDE in licenses[r].territories
            ),
            None,
        )
    return DemoSongs(
        open_song, regional, cover_only, revoked, active.name if active else None, voice_song
    )


def script(songs: DemoSongs) -> list[tuple[str, bool, str]]:
    """(user, is moderator, line) in the order they are typed."""
    g = f'"{songs.open_song}"'
    lines: list[tuple[str, bool, str]] = [
        ("alice", False, f"cover {g} style:lofi"),
        ("alice", False, "terms accept"),
        ("alice", False, f"cover {g} style:lofi length:20"),
        ("alice", False, f"cover {g}"),
        ("bob", False, "terms accept"),
        ("bob", False, f"cover {songs.open_song.lower()[:-1]} in the style of synthwave"),
        ("bob", False, "cover Nonexistent Anthem style:lofi"),
        ("bob", False, f"cover {g} style:polka"),
        ("bob", False, f"remix \"{songs.cover_only_song}\" style:lofi"),
        ("bob", False, f"cover {g} style:lofi length:90"),
        ("carol", False, "terms accept"),
        ("carol", False, f"cover \"{songs.regional_song}\" style:acoustic"),
        ("carol", False, "settings country DE"),
        ("carol", False, f"cover \"{songs.regional_song}\" style:acoustic length:30"),
        ("carol", False, f"cover {g} style:8-bit length:30"),
        ("carol", False, f"cover {g} style:lofi length:10"),
        ("carol", False, "quota"),
        ("carol", False, "upgrade"),
        ("carol", False, "upgrade fan-month"),
        ("carol", False, "quota"),
        ("carol", False, f"cover {g} style:lofi length:45"),
        ("dave", False, "terms accept"),
        ("dave", False, f"cover {g} in the voice of {songs.revoked_voice}"),
    ]
    if songs.active_voice and songs.voice_song:
        lines.append(("dave", False, f'cover "{songs.voice_song}" voice:"{songs.active_voice}"'))
    lines += [
        ("mod", True, "settings disable-style synthwave"),
        ("bob", False, f"cover {g} style:synthwave length:10"),
        ("erin", False, "terms accept"),
        ("mod", True, "settings ban @erin"),
        ("erin", False, f"cover {g} style:lofi"),
        ("mod", True, "settings cooldown 120"),
        ("dave", False, f"cover {g} style:acoustic length:10"),
        ("dave", False, f"cover {g} style:acoustic length:10"),
        ("mod", True, "settings channels #covers"),
        ("bob", False, f"cover {g} style:lofi length:5"),
        ("bob", False, "settings channels all"),
        ("mod", True, "audit"),
        ("bob", False, "status"),
    ]
    return lines


async def run_demo(settings: RefrainSettings, echo: Echo) -> list[Step]:
    """Play the script on a fresh demo database and return what happened."""
    started = time.monotonic()
    demo_dir = settings.demo_dir
    if demo_dir.exists():
        shutil.rmtree(demo_dir)
    demo_dir.mkdir(parents=True)
    db_path = Path(demo_dir, "refrain-demo.db").resolve()
    demo_settings = settings.model_copy(
        update={"database_url": f"sqlite+aiosqlite:///{db_path}"}
    )
    await upgrade(demo_settings.database_url)
    async with open_app(demo_settings) as app:
        echo("Synthesizing the demo catalog (original songs, true stems)…")
        echo(await install_demo_catalog(app))
    # reopen so the search index sees the freshly imported catalog
    async with open_app(demo_settings, run_jobs=True) as app:
        steps = await _play(app, echo)
        echo("\nRendering the granted requests…")
        if isinstance(app.queue, EmbeddedQueue):
            await app.queue.join()
        clips = await export_clips(app, demo_dir)
        traced = await trace_a_leak(app, clips, demo_dir)
        royalties: list[str] = []
        await royalty_demo(app.database, demo_settings, royalties.append, app.clock.now())
        studio = await demo_studio_account(app, demo_settings, db_path)
    echo(summary_table(steps))
    echo(clips_table(clips))
    if traced:
        echo(traced)
    for line in royalties:
        echo(line)
    for line in studio:
        echo(line)
    echo(f"demo finished in {time.monotonic() - started:.1f} s; database: {db_path}")
    return steps


DEMO_STUDIO_PARTY = "party-tidewater"  # Tidewater Collective, an independent label of the demo
DEMO_STUDIO_EMAIL = "tidewater@demo.invalid"


async def demo_studio_account(app: App, settings: RefrainSettings, db_path: Path) -> list[str]:
    """A ready studio account for one demo independent, through the same invitation an
    operator sends; returns the lines that say how to log in (a fresh password each run)."""
    password = secrets.token_urlsafe(12)
    link = await app.studio.accounts.invite(DEMO_STUDIO_PARTY, settings.web.public_url)
    await app.studio.accounts.accept_invite(link.rsplit("/", 1)[1], DEMO_STUDIO_EMAIL, password)
    login = f"{settings.web.public_url.rstrip('/')}/studio/login"
    return [
        "",
        "Studio (rights holders on the web): serve the demo database with",
        f"  REFRAIN_DATABASE_URL=sqlite+aiosqlite:///{db_path} REFRAIN_STUDIO__OPEN_SIGNUP=true "
        ".venv/bin/refrain serve",
        f"then open {login} and log in as {DEMO_STUDIO_EMAIL} with the password {password}",
        "(Tidewater Collective, an independent label: its songs, terms, dashboard and statements).",
    ]


async def _play(app: App, echo: Echo) -> list[Step]:
    songs = pick_songs(demo_catalog().batch)
    sessions: dict[str, ConsoleSession] = {}
    steps: list[Step] = []
    for user, moderator, line in script(songs):
        session = sessions.get(user)
        if session is None:
            session = ConsoleSession(app.handler.handle, user, "demo", moderator=moderator)
            sessions[user] = session
        echo(f"\n{user}{' (moderator)' if moderator else ''}> {line}")
        for reply in await session.send(line):
            echo(render_reply(reply))
            steps.append(Step(user, line, reply.code or reply.kind.value, reply.text))
    return steps


@dataclass(frozen=True)
class DemoClip:
    who: str
    title: str
    style: str
    state: str
    path: Path | None
    detail: str


async def export_clips(app: App, demo_dir: Path) -> list[DemoClip]:
    """Copy every delivered clip next to the demo database, named so a person can find it."""
    out: list[DemoClip] = []
    requests = await app.stores.requests.list_in_states(
        frozenset({RequestState.DELIVERED, RequestState.FAILED, RequestState.CANCELLED,
                   RequestState.QUEUED, RequestState.RUNNING})
    )
    for request in sorted(requests, key=lambda r: r.created_at):
        user = await app.stores.users.get(request.user_id)
        recording = await app.stores.catalog.get_recording(request.recording_id)
        who = user.display_name if user else "?"
        title = recording.title if recording else request.recording_id
        path = None
        detail = request.error or ""
        if request.clip_id:
            # the requester's copy, watermarked for them by the render job before charging
            try:
                delivered = await app.deliveries.handover(request)
            except Exception as exc:  # a plain line in the table, never a traceback
                out.append(DemoClip(who, title, request.style, request.state.value, None,
                                    delivery_problem(exc)))
                continue
            await app.deliveries.handed_over(delivered.delivery.id)
            slug = re.sub(r"[^a-z0-9]+", "-", f"{who} {title} {request.style}".lower()).strip("-")
            path = demo_dir / f"{slug}-{short_id(request.id)}.ogg"
            shutil.copyfile(delivered.path, path)
            write_sidecar(path, delivered.provenance)
            detail = f"{delivered.duration_s:.1f} s"
        out.append(DemoClip(who, title, request.style, request.state.value, path, detail))
    return out


async def trace_a_leak(app: App, clips: list[DemoClip], demo_dir: Path) -> str:
    """Re-encode one demo clip as a fan might (Opus 48 kb/s) and trace it back."""
    source = next((c.path for c in clips if c.path is not None), None)
    if source is None:
        return ""
    leaked = demo_dir / "leaked-copy.opus"
    run_tool(
        "ffmpeg",
        ["-v", "error", "-y", "-i", str(source), "-c:a", "libopus", "-b:a", "48k", str(leaked)],
        timeout_s=60,
        what="re-encode a demo clip",
    )
    outcome = await app.tracer.trace(leaked, viewer_user_id="operator", full_record=True)
    return f"\nTrace of {leaked.name} (a re-encoded copy of {source.name}):\n{outcome.message}"


def clips_table(clips: list[DemoClip]) -> str:
    rows = ["\nClips", f"{'WHO':6} {'SONG':24} {'STYLE':14} {'STATE':10} FILE / DETAIL"]
    for c in clips:
        rows.append(f"{c.who:6} {c.title[:24]:24} {c.style:14} {c.state:10} "
                    f"{c.path or c.detail}{'  ' + c.detail if c.path else ''}")
    return "\n".join(rows)


def summary_table(steps: list[Step]) -> str:
    rows = [f"{'#':>2}  {'WHO':6} {'OUTCOME':28} COMMAND"]
    for number, step in enumerate(steps, 1):
        command = step.text if len(step.text) <= 60 else step.text[:57] + "…"
        rows.append(f"{number:>2}  {step.who:6} {step.outcome:28} {command}")
    counts: dict[str, int] = {}
    for step in steps:
        counts[step.outcome] = counts.get(step.outcome, 0) + 1
    tally = ", ".join(f"{k}×{v}" for k, v in sorted(counts.items()))
    return "\nSummary\n" + "\n".join(rows) + f"\n\noutcomes: {tally}"
