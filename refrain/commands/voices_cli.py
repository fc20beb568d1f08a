"""`refrain voices …`: register a consented voice, revoke it, list who may sing what.

Registration checks everything before it writes anything: the consent
document, the scope, every reference recording (rate, clipping, silence, at
least 30 s of singing) and the learnt profile; only then are the profile blob
and the registry rows written, the rows in one transaction.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path

import click

from core.entitlements import ScopeError, VoiceScope, voices_for_song
from core.model import ConsentRecord, Recording, VoiceModel
from refrain.app import App, open_app
from refrain.clikit import UserError, run_async, settings_of
from storage import SqlVoiceRegistry


def _registry(app: App) -> SqlVoiceRegistry:
    return app.database.voice_registry


def _items(text: str | None) -> list[str] | None:
    return None if text is None else [t for t in (v.strip() for v in text.split(",")) if t]


def voice_id_for(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    if not slug:
        raise UserError(f"the voice name {name!r} needs at least one letter or digit")
    return f"voice-{slug}"[:64]


def consent_digest(path: Path) -> str:
    """The sha256 of the signed consent document; a missing or empty one is refused in words."""
    if not path.is_file():
        raise UserError(
            f"consent document {path.name} not found: a voice is registered only with its owner's "
            "signed consent (--consent FILE)"
        )
    data = path.read_bytes()
    if not data.strip():
        raise UserError(f"consent document {path.name} is empty")
    return hashlib.sha256(data).hexdigest()


def reference_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise UserError(f"--reference must be a folder of WAV files; {folder} is not a folder")
    files = sorted(p for p in folder.iterdir() if p.suffix.casefold() == ".wav" and p.is_file())
    if not files:
        raise UserError(f"no .wav files in {folder.name}: record at least 30 s of singing as WAV")
    return files


@click.group()
def voices() -> None:
    """Consented voice models: register (with consent), revoke, list."""


@voices.command("add")
@click.option("--owner", required=True, help="Party id of the voice owner (must exist in the catalog).")
@click.option("--name", required=True, help="The voice's display name, e.g. 'Ada Nova'.")
@click.option("--reference", "reference", required=True, type=click.Path(path_type=Path),
              help="Folder of 44.1 kHz WAV recordings of the owner singing, ≥ 30 s in all.")
@click.option("--consent", required=True, type=click.Path(path_type=Path),
              help="The signed consent document; its sha256 is stored.")
@click.option("--scope", "kinds", required=True, help="What the owner consented to: covers,remixes.")
@click.option("--styles", default=None, help="Style ids the voice may sing in (default: any).")
@click.option("--territories", default=None, help="Country codes, e.g. DE,AT (default: WW, worldwide).")
@click.option("--id", "voice_id", default=None, help="Voice id (default: voice-<name>).")
@click.pass_context
@run_async
async def add(ctx: click.Context, owner: str, name: str, reference: Path, consent: Path, kinds: str,
              styles: str | None, territories: str | None, voice_id: str | None) -> None:
    """Learn a voice from its reference singing and register it with its consent and scope."""
    from engine import load_audio
    from engine.voice import VoiceError, train_profile

    digest = consent_digest(consent)
    try:
        scope = VoiceScope.build(_items(kinds) or [], _items(styles), _items(territories))
    except ScopeError as exc:
        raise UserError(str(exc)) from exc
    files = reference_files(reference)
    recordings = [load_audio(f) for f in files]
    rates = {r.sample_rate for r in recordings}
    rate = recordings[0].sample_rate if len(rates) == 1 else 0
    if rate == 0:
        raise UserError("the reference recordings have different sample rates; use 44100 Hz for all")
    try:
        profile = train_profile([r.samples for r in recordings], rate, labels=[f.name for f in files])
    except VoiceError as exc:
        raise UserError(str(exc)) from exc
    async with open_app(settings_of(ctx)) as app:
        now = app.clock.now()
        model = VoiceModel(
            voice_id or voice_id_for(name), name, owner,
            ConsentRecord(digest, scope.format(), now.date()),
        )
        sha = await app.blobs.put_bytes(profile.to_bytes())
        await _register(app, model, sha, profile.reference_seconds, now)
    click.echo(f"registered {model.id} ({name}, owner {owner}): {scope.describe()}; "
               f"learnt from {profile.reference_seconds:.0f} s of singing; profile {sha[:12]}")


async def _register(app: App, model: VoiceModel, sha: str, seconds: float, now: datetime) -> None:
    from storage import NotFound, StorageConflict

    try:
        await _registry(app).register(model, sha, seconds, now)
    except (NotFound, StorageConflict) as exc:
        raise UserError(str(exc)) from exc


@voices.command("revoke")
@click.argument("voice_id")
@click.pass_context
@run_async
async def revoke(ctx: click.Context, voice_id: str) -> None:
    """Withdraw VOICE_ID's consent now: no new covers, queued ones refused, plays to escrow."""
    from storage import NotFound

    async with open_app(settings_of(ctx)) as app:
        try:
            model = await _registry(app).revoke(voice_id, app.clock.now())
        except NotFound as exc:
            raise UserError(f"{exc}; see `refrain voices list`") from exc
    assert model.revoked_at is not None
    click.echo(f"{model.name} ({model.id}) revoked at {model.revoked_at:%Y-%m-%d %H:%M:%S} UTC: new and "
               "queued voice covers are refused; plays from now accrue to escrow")


@voices.command("list")
@click.option("--song", default=None, help="Only the voices this recording's license allows (id or title).")
@click.option("--style", default=None, help="With --song: only voices consented for this style.")
@click.pass_context
@run_async
async def list_(ctx: click.Context, song: str | None, style: str | None) -> None:
    """Show the voices with owner, consent scope, status and profile."""
    async with open_app(settings_of(ctx)) as app:
        registered = await _registry(app).list()
        now = app.clock.now()
        if song is not None:
            recording = await _find_recording(app, song)
            license_ = await app.stores.catalog.current_license(recording.id)
            if license_ is None:
                raise UserError(f"{recording.title} has no license, so no voice may sing it")
            allowed = {m.id for m in voices_for_song([r.model for r in registered], license_.terms, now,
                                                     style=style)}
            registered = [r for r in registered if r.model.id in allowed]
        for entry in registered:
            revoked = entry.model.revoked_at is not None and entry.model.revoked_at <= now
            status = f"revoked {entry.model.revoked_at:%Y-%m-%d}" if revoked and entry.model.revoked_at \
                else "active"
            profile = entry.profile_sha256[:12] if entry.profile_sha256 else "no profile"
            click.echo(f"{entry.model.name:18} {entry.model.id:24} owner {entry.model.owner_party_id:22} "
                       f"{status:18} {entry.scope.describe()}  [{profile}]")
        if not registered:
            click.echo("no voices" + (f" may sing {song}" if song else " registered"))


async def _find_recording(app: App, song: str) -> Recording:
    by_id = await app.stores.catalog.get_recording(song)
    if by_id is not None:
        return by_id
    hits = app.search(song, limit=1)
    if not hits:
        raise UserError(f"no song matches {song!r}")
    found = await app.stores.catalog.get_recording(hits[0].recording_id)
    assert found is not None
    return found


async def install_demo_voices(app: App) -> list[str]:
    """Learn the demo voices' profiles (deterministic) and record them; call after the demo import."""
    from engine.voice import DEMO_VOICE_IDS, demo_profile

    registry = _registry(app)
    done = []
    for voice_id in DEMO_VOICE_IDS:
        if await app.stores.catalog.get_voice_model(voice_id) is None:
            continue
        profile = demo_profile(voice_id)
        sha = await app.blobs.put_bytes(profile.to_bytes())
        await registry.attach_profile(voice_id, sha, profile.reference_seconds, app.clock.now())
        done.append(voice_id)
    return done
