"""Shared plumbing of the CLI commands: async running, error translation, settings."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import click

from config import RefrainSettings
from core.errors import UserFacing
from core.royalties import Period, PeriodError

T = TypeVar("T")


class UserError(UserFacing, click.ClickException):
    """An error the user can fix; printed without a traceback, exit code 1."""


def _friendly(exc: BaseException) -> str | None:
    """The operator's words for an error Refrain raised on purpose (``UserFacing``)."""
    if isinstance(exc, UserFacing):
        return str(exc)
    return None


def run_async(func: Callable[..., Coroutine[Any, Any, T]]) -> Callable[..., T]:
    """Run an async click command, turning known failures into clear messages."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return asyncio.run(func(*args, **kwargs))
        except click.ClickException:
            raise
        except Exception as exc:
            message = _friendly(exc)
            if message is None:
                raise
            raise UserError(message) from exc

    return wrapper


def settings_of(ctx: click.Context) -> RefrainSettings:
    settings = ctx.find_object(RefrainSettings)
    assert settings is not None
    return settings


def parse_period(text: str) -> Period:
    """A ``--period YYYY-MM`` value, or click's own "invalid value" message saying why not."""
    try:
        return Period.parse(text)
    except PeriodError as error:
        raise click.BadParameter(str(error)) from error
