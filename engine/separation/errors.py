"""Why a separation could not run, in words a moderator can act on.

These live apart from the model code so that callers (the render job, the
CLI) can catch them without importing torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from core.errors import UserFacing

INSTALL_HINT = "Copy the weights there or run `refrain models install PATH`."


class SeparationError(UserFacing):
    """Base of every separation failure."""


class ModelWeightsMissing(SeparationError):
    """The model's files are not in the local models folder.

    Weights are never downloaded: a server runs only the models a moderator
    installed, so the message names each file wanted and how to install it.
    """

    def __init__(
        self, name: str, expected_paths: Sequence[Path], *, any_of: bool = False, note: str = ""
    ) -> None:
        self.name = name
        self.expected_paths = tuple(expected_paths)
        names = [str(path) for path in self.expected_paths]
        joiner = " or " if any_of else " and "
        wanted = ", ".join(names[:-1]) + joiner + names[-1] if len(names) > 1 else "".join(names)
        extra = f" ({note})" if note else ""
        super().__init__(f"Separation model '{name}' needs {wanted}{extra}. {INSTALL_HINT}")


class ModelFilesInvalid(SeparationError):
    """A weights or bag file exists but cannot be used (corrupt, wrong checksum, not demucs)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path} is not a usable demucs model file: {reason}")


class SeparationOutOfMemory(SeparationError):
    """Even one segment at a time does not fit on the device."""

    def __init__(self, device: str, segment_s: float) -> None:
        self.device = device
        self.segment_s = segment_s
        super().__init__(
            f"Separating one {segment_s:.1f} s segment does not fit in {device} memory; "
            "use a shorter segment or another device."
        )
