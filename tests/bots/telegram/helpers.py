"""Talking to the bot through the fake: push an update, wait for what the bot sends back."""

from __future__ import annotations

from typing import Any

from tests.fakes.fake_telegram import Call, FakeTelegram, group_chat, private_chat, user


class Person:
    """A Telegram user typing in one chat (private by default)."""

    def __init__(self, fake: FakeTelegram, user_id: int, name: str, chat: dict[str, Any] | None = None):
        self.fake = fake
        self.user = user(user_id, name)
        self.chat = chat or private_chat(user_id, name)

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    def in_group(self, chat_id: int, title: str = "Cover Club") -> Person:
        return Person(self.fake, self.user["id"], self.user["first_name"], group_chat(chat_id, title))

    async def send(self, text: str | None = None, **extra: Any) -> tuple[int, dict[str, Any]]:
        """Push a message; returns (index of the next call, the message as Telegram has it)."""
        update = self.fake.message(self.chat, self.user, text, **extra)
        mark = len(self.fake.calls)
        await self.fake.push(update)
        return mark, update["message"]

    async def say(self, text: str | None = None, **extra: Any) -> Call:
        """Send and wait for the bot's first message back in this chat."""
        mark, _ = await self.send(text, **extra)
        return await self.fake.wait_for("sendMessage", lambda c: c.chat_id == self.chat_id, after=mark)

    async def press(self, message_call: Call, data: str) -> int:
        """Press a button of a message the bot sent (``message_call``)."""
        message = {
            "message_id": 900 + len(self.fake.calls),
            "date": 0,
            "chat": self.chat,
            "text": message_call.text,
        }
        mark = len(self.fake.calls)
        await self.fake.push(self.fake.callback(message, self.user, data))
        return mark


async def accepted(person: Person) -> None:
    reply = await person.say("/terms accept")
    assert "accepted the terms" in reply.text, reply.text
