"""Running ffmpeg and ffprobe, and turning their failures into words.

Refrain encodes and decodes through the ffmpeg command-line tools rather than
bindings: they are on every distribution, cover Opus, MP3 and AAC with their
tags in one place, and a crash in a codec cannot take the worker down.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

from core.errors import UserFacing

MISSING_MESSAGE = "ffmpeg is not installed: run `apt-get install ffmpeg`"


class EncodingError(UserFacing, RuntimeError):
    """ffmpeg is missing or failed; ``str(error)`` is fit to show a user or moderator."""


def locate(tool: str) -> str:
    """Absolute path of ``ffmpeg`` or ``ffprobe`` on ``PATH``.

    Raises:
        EncodingError: with the install hint when the tool is not there.
    """
    path = shutil.which(tool)
    if path is None:
        raise EncodingError(MISSING_MESSAGE)
    return path


def run_tool(
    tool: str,
    args: Sequence[str],
    *,
    stdin: bytes | None = None,
    timeout_s: float,
    what: str,
) -> bytes:
    """Run ``tool`` with ``args``, feeding ``stdin``; return its stdout.

    Args:
        tool: ``"ffmpeg"`` or ``"ffprobe"``.
        args: arguments after the program name.
        stdin: bytes to pipe in (raw PCM), or ``None`` for no input.
        timeout_s: wall-clock limit; a stuck codec must not hold a worker.
        what: what was being done, for the error message ("encode MP3").

    Raises:
        EncodingError: when the tool is missing, times out or exits non-zero;
            the message carries the tool's last line of stderr.
    """
    command = [locate(tool), *args]
    try:
        completed = subprocess.run(
            command,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except FileNotFoundError as error:
        raise EncodingError(MISSING_MESSAGE) from error
    except subprocess.TimeoutExpired as error:
        raise EncodingError(f"{tool} could not {what}: timed out after {timeout_s:g} s") from error
    if completed.returncode != 0:
        detail = last_line(completed.stderr) or f"exit status {completed.returncode}"
        raise EncodingError(f"{tool} could not {what}: {detail}")
    return completed.stdout


def last_line(stderr: bytes) -> str:
    """The last non-empty line ffmpeg printed: usually the reason it stopped."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    return next((line for line in reversed(lines) if line), "")
