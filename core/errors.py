"""One root for every error Refrain raises on purpose, and one kind for what a person reads.

``RefrainError`` is the root: anything raised that is not one is a bug. A
``UserFacing`` error carries words a person may read as they are —
``user_message`` (the chat, the web) and ``str(error)`` (the operator's CLI,
the log) — so every door renders a refusal the same way. Parse results are
not exceptions: a command the grammar cannot read is a ``ParseError`` value
(``core.commands``).
"""

from __future__ import annotations


class RefrainError(Exception):
    """Root of the errors Refrain raises on purpose."""


class UserFacing(RefrainError):
    """An error whose message a person may read as it is.

    ``user_message`` defaults to the message itself; an error whose message is
    meant for operators (it names a host or a file) gives fans other words.
    """

    _user_message: str | None = None

    @property
    def user_message(self) -> str:
        return self._user_message if self._user_message is not None else str(self)

    @user_message.setter
    def user_message(self, text: str) -> None:
        self._user_message = text


__all__ = ["RefrainError", "UserFacing"]
