"""The one refusal of the revenue use cases: what was wrong, in words, and nothing stored."""

from __future__ import annotations

from core.errors import UserFacing


class RevenueError(UserFacing):
    """A payment, refund, rate or pool the platform or operator asked for and that cannot be."""


__all__ = ["RevenueError"]
