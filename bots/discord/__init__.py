"""The Discord adapter: slash commands, buttons and clip delivery on discord.py.

``build_bot(app)`` makes the client; ``discord_component(app)`` runs it in
``refrain serve``. Every command goes through ``app.handler`` like the
console and Telegram; this package only reads Discord and renders replies.
"""

from bots.discord.adapter import DiscordAdapter
from bots.discord.bot import RefrainBot, ShardedRefrainBot, build_bot
from bots.discord.component import discord_component

__all__ = ["DiscordAdapter", "RefrainBot", "ShardedRefrainBot", "build_bot", "discord_component"]
