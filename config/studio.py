"""The rights holders' studio: who may sign up, how long sessions live, how hard login is throttled."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator


class StudioSettings(BaseModel):
    """The studio served by ``refrain serve`` under ``/studio``."""

    enabled: bool = Field(default=True, description="serve the studio under /studio beside the share pages")
    open_signup: bool = Field(
        default=False,
        description="independent artists may sign up by themselves (each sign-up founds a new party); "
        "off: accounts only through `refrain studio invite --party ID`",
    )
    session_idle_s: int = Field(default=30 * 60, gt=0, description="a session ends after this long unused")
    session_absolute_s: int = Field(
        default=12 * 3600, gt=0, description="a session ends this long after login, used or not"
    )
    login_rate_per_ip: float = Field(default=10.0, gt=0, description="login/sign-up tries per minute per IP")
    login_burst_per_ip: int = Field(default=20, gt=0)
    login_rate_per_account: float = Field(
        default=2.0, gt=0, description="login tries per minute per email address (existing or not)"
    )
    login_burst_per_account: int = Field(default=10, gt=0)
    argon2_time_cost: int = Field(default=3, ge=1, description="argon2id passes")
    argon2_memory_kib: int = Field(default=65536, ge=8192, description="argon2id memory per hash (KiB)")

    @model_validator(mode="after")
    def _timeouts(self) -> StudioSettings:
        if self.session_idle_s > self.session_absolute_s:
            raise ValueError("studio.session_idle_s cannot be longer than studio.session_absolute_s")
        return self
