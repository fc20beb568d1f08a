"""Persistent buttons: they keep working after a restart because their ``custom_id`` says it all.

Two families, both ``DynamicItem`` s registered in ``setup_hook``:

* ``CommandButton`` — a ``Reply`` button; its id is ``rf:c:<command text>``
  (the command is what a user could type, nothing secret). Commands too long
  for Discord's 100 characters get ``rf:h:<hash>`` and are kept in memory;
  after a restart such a button says so and shows what to type instead.
* ``ClipButton`` — the four buttons under a delivered clip:
  ``rf:<action>:<delivery id>`` (other style, regenerate, trace info, report).

Callbacks hand over to the adapter (``interaction.client.adapter``): no rule here.
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Protocol

import discord

from core.chat import Button

if TYPE_CHECKING:
    from bots.discord.adapter import DiscordAdapter

MAX_CUSTOM_ID = 100
COMMAND_PREFIX = "rf:c:"
HASH_PREFIX = "rf:h:"
_LONG_COMMANDS_KEPT = 5000


class ClipAction(enum.Enum):
    OTHER_STYLE = "alt"
    REGENERATE = "regen"
    TRACE = "trace"
    REPORT = "report"


CLIP_BUTTONS: tuple[tuple[ClipAction, str, str], ...] = (
    (ClipAction.OTHER_STYLE, "▶", "Other style"),
    (ClipAction.REGENERATE, "🔁", "Regenerate"),
    (ClipAction.TRACE, "🔍", "Trace info"),
    (ClipAction.REPORT, "⚑", "Report"),
)


class _HasAdapter(Protocol):
    adapter: DiscordAdapter


def adapter_of(interaction: discord.Interaction[Any]) -> DiscordAdapter:
    client: _HasAdapter = interaction.client
    return client.adapter


class LongCommands:
    """Commands over the custom_id limit, by hash (bounded; lost on restart, and said so)."""

    def __init__(self) -> None:
        self._by_key: OrderedDict[str, str] = OrderedDict()

    def custom_id(self, command: str) -> str:
        direct = COMMAND_PREFIX + command
        if len(direct) <= MAX_CUSTOM_ID and "\n" not in command:
            return direct
        key = hashlib.sha256(command.encode()).hexdigest()[:20]
        self._by_key[key] = command
        self._by_key.move_to_end(key)
        while len(self._by_key) > _LONG_COMMANDS_KEPT:
            self._by_key.popitem(last=False)
        return HASH_PREFIX + key

    def get(self, key: str) -> str | None:
        return self._by_key.get(key)


class CommandButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rf:(?P<kind>[ch]):(?P<value>.+)",
):
    """Runs its command as the person who pressed it."""

    def __init__(self, label: str, custom_id: str, style: discord.ButtonStyle) -> None:
        super().__init__(discord.ui.Button(label=label[:80], custom_id=custom_id, style=style))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CommandButton:
        label = getattr(item, "label", None) or "button"
        return cls(label, match.group(0), discord.ButtonStyle.secondary)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        match = self.template.match(self.custom_id)
        assert match is not None
        adapter = adapter_of(interaction)
        if match["kind"] == "c":
            await adapter.press_command(interaction, match["value"])
        else:
            await adapter.press_long_command(interaction, match["value"], self.item.label or "")


class ClipButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rf:(?P<action>alt|regen|trace|report):(?P<delivery>[0-9a-zA-Z-]{1,40})",
):
    """One of the buttons under a delivered clip; the id names the delivery, never a token."""

    def __init__(self, action: ClipAction, delivery_id: str) -> None:
        emoji, label = next((e, lbl) for a, e, lbl in CLIP_BUTTONS if a is action)
        style = discord.ButtonStyle.danger if action is ClipAction.REPORT else (
            discord.ButtonStyle.secondary
        )
        super().__init__(
            discord.ui.Button(label=label, emoji=emoji, style=style,
                              custom_id=f"rf:{action.value}:{delivery_id}")
        )
        self.action = action
        self.delivery_id = delivery_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ClipButton:
        return cls(ClipAction(match["action"]), match["delivery"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await adapter_of(interaction).press_clip_button(interaction, self.action, self.delivery_id)


def command_view(buttons: tuple[Button, ...], long_commands: LongCommands,
                 primary: bool = False) -> discord.ui.View | None:
    """A persistent view (no timeout) of a reply's buttons; Discord shows 25 at most."""
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    style = discord.ButtonStyle.primary if primary else discord.ButtonStyle.secondary
    for button in buttons[:25]:
        view.add_item(CommandButton(button.label, long_commands.custom_id(button.command), style))
    return view


def clip_view(delivery_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action, _, _ in CLIP_BUTTONS:
        view.add_item(ClipButton(action, delivery_id))
    return view


class ReportModal(discord.ui.Modal, title="Report this clip"):
    """Why a clip is reported; moderators read it in ``/refrain reports``."""

    reason: discord.ui.TextInput[ReportModal] = discord.ui.TextInput(
        label="What is wrong with it?", style=discord.TextStyle.paragraph, max_length=500,
        required=True,
    )

    def __init__(self, delivery_id: str) -> None:
        super().__init__(custom_id=f"rf:reportform:{delivery_id}", timeout=15 * 60)
        self.delivery_id = delivery_id

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        await adapter_of(interaction).submit_report(interaction, self.delivery_id,
                                                    str(self.reason.value))
