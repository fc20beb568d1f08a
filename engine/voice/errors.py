"""What can go wrong with a voice, in words a user or an operator can act on."""

from __future__ import annotations

from core.errors import UserFacing


class VoiceError(UserFacing, ValueError):
    """Base of every voice error; its message is meant to be shown as is."""


class ReferenceAudioError(VoiceError):
    """The reference recordings cannot teach a voice (too short, clipped, silent, wrong rate)."""


class VoiceBackendUnavailable(VoiceError):
    """The conversion backend is not installed on this machine."""


class VoiceModelFileError(VoiceError):
    """A neural voice model file is missing, unreadable or does not fit the interface."""


class VoiceProfileError(VoiceError):
    """A stored voice profile cannot be read (corrupt, or from an unknown version)."""
