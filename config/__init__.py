"""Settings for a Refrain deployment."""

from config.revenue import PlanSettings, RevenueSettings
from config.settings import (
    ConfigFileError,
    RefrainSettings,
    TierSettings,
    load_settings,
    mask_url,
)

__all__ = [
    "ConfigFileError",
    "PlanSettings",
    "RefrainSettings",
    "RevenueSettings",
    "TierSettings",
    "load_settings",
    "mask_url",
]
