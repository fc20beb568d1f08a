"""The studio's refusals: words for a form field, or "not found" for anything not yours."""

from __future__ import annotations

from core.errors import UserFacing


class StudioError(UserFacing):
    """Bad input in a studio form; ``field`` names the input the message belongs next to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotYours(UserFacing):
    """The thing does not exist, or belongs to parties the holder does not act for.

    Both read the same (a 404), so an id that belongs to someone else is never confirmed.
    """

    def __init__(self) -> None:
        super().__init__("Nothing here: this page doesn't exist or isn't one of yours.")
