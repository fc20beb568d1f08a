"""Settings for a Refrain deployment."""

from config.settings import (
    ConfigFileError,
    RefrainSettings,
    TierSettings,
    load_settings,
    mask_url,
)

__all__ = ["ConfigFileError", "RefrainSettings", "TierSettings", "load_settings", "mask_url"]
