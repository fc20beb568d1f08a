"""Covers and remixes: submitting one and phrasing every outcome; which styles and voices a song has."""

from __future__ import annotations

from dataclasses import replace

from core.chat.common import TERMS_TEXT, ordinal, song_label
from core.chat.messages import UPGRADE_COMMAND, Button, Reply, ReplyKind
from core.commands import CoverCommand, format_command
from core.entitlements import Denied, DenyCode, scope_of, voices_for_song
from core.ports import Clock, Stores
from core.requests.requester import Requester
from core.requests.service import (
    NeedsStyle,
    Queued,
    RequestService,
    SongAmbiguous,
    SongUnknown,
    StyleUnknown,
    SubmitOutcome,
    Unavailable,
    short_id,
)
from core.stylebook import STYLES, style_name


class Covers:
    """``cover``/``remix``, ``styles`` and ``voices``."""

    def __init__(self, service: RequestService, stores: Stores, clock: Clock) -> None:
        self._service = service
        self._stores = stores
        self._clock = clock

    async def cover(self, who: Requester, command: CoverCommand) -> Reply:
        return self.outcome_reply(await self._service.submit(who, command), command)

    def outcome_reply(self, outcome: SubmitOutcome, command: CoverCommand) -> Reply:
        """What to tell the fan about a submit outcome (also used by `refrain render`)."""
        match outcome:
            case Queued():
                return self._queued_reply(outcome, command.seconds)
            case Denied():
                return self._denied_reply(outcome)
            case NeedsStyle():
                return self._needs_style(outcome, command)
            case SongUnknown():
                return self._song_unknown(outcome)
            case SongAmbiguous():
                return self._song_ambiguous(outcome, command)
            case Unavailable():
                return Reply(outcome.message, ReplyKind.DENIED, code=outcome.code)
            case StyleUnknown():
                options = ", ".join(f"`{s}`" for s in outcome.options) or "none"
                return Reply(
                    f"I don't know the style “{outcome.style}”. Styles you can use for this "
                    f"song: {options}.",
                    ReplyKind.ERROR,
                    code="STYLE_UNKNOWN",
                )
        raise AssertionError(f"unhandled outcome {outcome!r}")

    def _queued_reply(self, outcome: Queued, asked_seconds: int | None) -> Reply:
        request = outcome.request
        what = f"{song_label(outcome.recording)} in {style_name(request.style)}"
        sid = short_id(request.id)
        length = f"{request.seconds} s"
        if asked_seconds is not None and asked_seconds > request.seconds:
            length += f" (the whole song; you asked for {asked_seconds} s)"
        if outcome.duplicate:
            text = f"Already on it: request `{sid}` ({what}) is {request.state.value.lower()}."
        elif not outcome.queue_ok:
            text = (
                f"Request `{sid}` saved: {what}, {length}. The render queue is "
                "unreachable right now, so it will start as soon as it is back; "
                "nothing is lost and you won't be charged twice."
            )
        else:
            place = f" ({ordinal(outcome.position)} in line)" if outcome.position else ""
            text = f"Queued `{sid}`: {what}, {length}{place}."
        return Reply(
            text,
            ReplyKind.QUEUED,
            code="QUEUED",
            request_id=request.id,
            buttons=(Button("Cancel", f"cancel {sid}"),),
        )

    def _denied_reply(self, denied: Denied) -> Reply:
        text = denied.message
        if denied.hint:
            text += f" {denied.hint}"
        buttons: tuple[Button, ...] = ()
        if denied.code is DenyCode.TERMS_NOT_ACCEPTED:
            text += f"\n\n{TERMS_TEXT}"
            buttons = (Button("Accept the terms", "terms accept"),)
        if denied.tier_helps:
            buttons += (Button("⭐ Upgrade", UPGRADE_COMMAND),)
        return Reply(text, ReplyKind.DENIED, code=denied.code.value, buttons=buttons,
                     offers_upgrade=denied.tier_helps)

    def _needs_style(self, outcome: NeedsStyle, command: CoverCommand) -> Reply:
        if not outcome.options:
            return Reply(
                f"{song_label(outcome.recording)} can't be covered in any style here right now.",
                ReplyKind.DENIED,
                code="NO_STYLE_AVAILABLE",
            )
        names = ", ".join(f"`{s}`" for s in outcome.options)
        song = outcome.recording.title
        buttons = tuple(
            Button(
                style_name(s),
                format_command(
                    replace(command, song=song, artist=outcome.recording.artist, style=s,
                            unsplit=None)
                ),
            )
            for s in outcome.options
        )
        return Reply(
            f"Which style for {song_label(outcome.recording)}? You can pick: {names}. "
            f'For example: `cover "{song}" style:{outcome.options[0]}`',
            ReplyKind.QUESTION,
            code="NEEDS_STYLE",
            buttons=buttons,
        )

    def _song_unknown(self, outcome: SongUnknown) -> Reply:
        if outcome.suggestions:
            names = "; ".join(song_label(r) for r in outcome.suggestions)
            text = f"I couldn't find “{outcome.query}” in the licensed catalog. Did you mean: {names}?"
        else:
            text = (
                f"I couldn't find “{outcome.query}” in the licensed catalog. "
                "Type `styles` or check the spelling."
            )
        return Reply(text, ReplyKind.ERROR, code="SONG_UNKNOWN")

    def _song_ambiguous(self, outcome: SongAmbiguous, command: CoverCommand) -> Reply:
        options = "; ".join(song_label(r) for r in outcome.candidates)
        buttons = tuple(
            Button(
                f"{r.title} — {r.artist}",
                format_command(replace(command, song=r.title, artist=r.artist, unsplit=None)),
            )
            for r in outcome.candidates
        )
        return Reply(
            f"More than one song matches “{outcome.query}”: {options}. "
            f'Add the artist, e.g. `cover "{outcome.candidates[0].title}" by '
            f'{outcome.candidates[0].artist}`.',
            ReplyKind.QUESTION,
            code="SONG_AMBIGUOUS",
            buttons=buttons,
        )

    async def styles(self, who: Requester, song: str | None) -> Reply:
        if song is None:
            lines = [f"• `{s.id}` — {s.name}: {s.description}" for s in STYLES.values()
                     if s.id != "original"]
            policy = await self._stores.policies.get(who.scope_id)
            note = ""
            if policy.allowed_styles is not None:
                enabled = ", ".join(sorted(policy.allowed_styles)) or "none"
                note = f"\nOn this server moderators enabled: {enabled}."
            return Reply("Styles:\n" + "\n".join(lines) + note, ReplyKind.INFO)
        resolved = await self._service.resolve_song(song, None)
        if isinstance(resolved, SongUnknown):
            return self._song_unknown(resolved)
        if isinstance(resolved, SongAmbiguous):
            resolved = resolved.candidates[0]
        options = await self._service.licensed_styles(resolved, who.scope_id)
        if not options:
            return Reply(f"No styles are available for {song_label(resolved)} here.", ReplyKind.INFO)
        listed = ", ".join(f"`{s}`" for s in options)
        return Reply(f"Styles for {song_label(resolved)}: {listed}.", ReplyKind.INFO)

    async def voices(self, song: str | None) -> Reply:
        voices = [v for v in await self._stores.catalog.list_voice_models() if not v.revoked]
        if song is not None:
            resolved = await self._service.resolve_song(song, None)
            if isinstance(resolved, SongUnknown):
                return self._song_unknown(resolved)
            if isinstance(resolved, SongAmbiguous):
                resolved = resolved.candidates[0]
            license_ = await self._stores.catalog.current_license(resolved.id)
            voices = (
                voices_for_song(voices, license_.terms, self._clock.now()) if license_ else []
            )
            if not voices:
                return Reply(f"{song_label(resolved)} has no licensed voices.", ReplyKind.INFO)
        if not voices:
            return Reply("No consented voices are available right now.", ReplyKind.INFO)
        lines = [f"• `{v.name}` — consent: {scope_of(v).describe()}" for v in voices]
        return Reply("Consented voices:\n" + "\n".join(lines), ReplyKind.INFO)
