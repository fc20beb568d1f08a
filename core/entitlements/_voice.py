"""Rules about a voice model singing the lead: it must exist, be consented and allowed.

A voice imitating a real person needs that person's consent for this song
(the license lists the consented models) and may be withdrawn at any time;
moderators may further limit which voices their server uses.
"""

from __future__ import annotations

from core.entitlements import _wording as say
from core.entitlements._rights import Rights
from core.entitlements.context import EntitlementContext
from core.entitlements.decision import Denied, DenyCode
from core.model import Transformation, VoiceModel


def _server_allows(allowed: frozenset[str] | None, voice: VoiceModel) -> bool:
    """Moderators type names, catalogs use ids: either one enables the voice."""
    if allowed is None:
        return True
    wanted = {v.casefold() for v in allowed}
    return voice.id.casefold() in wanted or voice.name.casefold() in wanted


def voice(ctx: EntitlementContext, rights: Rights) -> Denied | None:
    asked = ctx.requested_voice is not None or ctx.voice_model is not None
    if not asked and ctx.transformation is not Transformation.VOICE_SWAP:
        return None
    title = say.song(ctx.recording)
    listing = f"`voices {ctx.recording.title}`"
    model = ctx.voice_model
    if model is None:
        if ctx.requested_voice is None:
            return Denied(
                DenyCode.VOICE_UNKNOWN,
                f"Which voice should sing {title}? Type {listing} to see the consented "
                'voices, then add `voice:"NAME"`.',
            )
        return Denied(
            DenyCode.VOICE_UNKNOWN,
            f"I don't know a voice called “{ctx.requested_voice}”. Type {listing} to see the "
            f"consented voices for {title}.",
        )
    if model.revoked_at is not None and model.revoked_at <= ctx.now:
        return Denied(
            DenyCode.VOICE_REVOKED,
            f"{model.name} has withdrawn consent for their voice, so it can't sing {title} "
            f"or anything else any more. Type {listing} to pick another voice.",
        )
    if model.id not in rights.voice_models:
        return Denied(
            DenyCode.VOICE_NOT_CONSENTED,
            f"{model.name}'s voice isn't licensed for {title}. Type {listing} to see the voices "
            "that are.",
        )
    if not _server_allows(ctx.policy.allowed_voices, model):
        return Denied(
            DenyCode.VOICE_NOT_CONSENTED,
            f"The moderators haven't enabled {model.name}'s voice on this server, so it can't "
            f"sing {title} here. Pick another voice with {listing}, or ask a moderator "
            "(`settings voices`).",
        )
    return None
