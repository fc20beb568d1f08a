"""Shared plumbing of the CLI commands: async running, error translation, settings."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import click

from config import ConfigFileError, RefrainSettings

T = TypeVar("T")


class UserError(click.ClickException):
    """An error the user can fix; printed without a traceback, exit code 1."""


def _friendly(exc: BaseException) -> str | None:
    """User-facing text for the errors we know how to explain."""
    from core.catalog import CatalogImportError, InvalidIdentifier, ShareSumError
    from engine import UnsupportedAudio
    from storage.errors import SchemaOutOfDate, StorageUnavailable

    if isinstance(
        exc,
        CatalogImportError
        | InvalidIdentifier
        | ShareSumError
        | UnsupportedAudio
        | SchemaOutOfDate
        | StorageUnavailable
        | ConfigFileError,
    ):
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


