"""``Reply`` → what Discord shows: message text, an optional embed, a view of buttons.

Replies are plain text with Discord markdown already (``*title*``, backticks),
so most become message content; a delivered clip gets an embed with its
credits when the bot may embed links, and the same words as text when not.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bots.discord.premium import premium_buttons
from bots.discord.views import LongCommands, clip_view, command_view
from core.chat import UPGRADE_COMMAND, Reply, ReplyKind

MAX_CONTENT = 2000
MAX_EMBED_DESCRIPTION = 4096

MARKERS = {
    ReplyKind.DENIED: "✋ ",
    ReplyKind.ERROR: "⚠️ ",
    ReplyKind.QUEUED: "⏳ ",
    ReplyKind.AUDIO: "🎵 ",
    ReplyKind.QUESTION: "❓ ",
}

BRAND_COLOUR = discord.Colour(0x7B5CFF)


@dataclass
class Rendered:
    content: str
    view: discord.ui.View | None = None
    embed: discord.Embed | None = None
    ephemeral: bool = False


def clip_text(text: str, limit: int = MAX_CONTENT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_reply(reply: Reply, long_commands: LongCommands, premium: list[int] | None = None) -> Rendered:
    """Text with its marker, buttons as a persistent view; ``premium``: SKUs whose Discord
    premium buttons replace the reply's own upgrade buttons (Discord takes the payment)."""
    primary = reply.kind in (ReplyKind.QUESTION, ReplyKind.DENIED)
    buttons = reply.buttons
    if premium:
        buttons = tuple(b for b in buttons if b.command.split(maxsplit=1)[0] != UPGRADE_COMMAND)
    view = command_view(buttons, long_commands, primary=primary)
    if premium:
        view = view or discord.ui.View(timeout=None)
        for button in premium_buttons(premium):
            view.add_item(button)
    return Rendered(
        content=clip_text(MARKERS.get(reply.kind, "") + reply.text),
        view=view,
        ephemeral=reply.ephemeral,
    )


def progress_text(headline: str, stage: str, percent: int, position: int | None) -> str:
    """The queued message with a progress line under it (edited in place)."""
    from core.chat import ordinal

    if position:
        line = f"Waiting: {ordinal(position)} in line."
    else:
        filled = max(0, min(10, percent // 10))
        bar = "▰" * filled + "▱" * (10 - filled)
        line = f"{bar} {stage or 'working'} {percent}%"
    return clip_text(f"{headline}\n{line}")


@dataclass(frozen=True)
class ClipCard:
    title: str
    credits: str
    style: str
    delivery_id: str
    share_url: str
    mention: str | None = None


def render_clip(card: ClipCard, *, embeds: bool, as_link: bool, link_reason: str = "") -> Rendered:
    """The delivered clip: title and credits (embed or text), share link when not attached."""
    lead = f"{card.mention} " if card.mention else ""
    link = f"\n🔗 {card.share_url}" if as_link else ""
    note = f"\n{link_reason}" if as_link and link_reason else ""
    view = clip_view(card.delivery_id)
    if embeds:
        embed = discord.Embed(
            title=clip_text(card.title, 256),
            description=clip_text(card.credits, MAX_EMBED_DESCRIPTION),
            colour=BRAND_COLOUR,
            url=card.share_url if as_link else None,
        )
        embed.set_footer(text="licensed cover via Refrain · " + card.style)
        return Rendered(content=clip_text(f"{lead}🎵 Your cover is ready.{link}{note}"),
                        embed=embed, view=view)
    text = f"{lead}🎵 **{card.title}**\n{card.credits}{link}{note}"
    return Rendered(content=clip_text(text), view=view)
