"""Paid plans, platform fees and the royalty share of revenue (owner: revenue)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, Field, field_validator


def _decimal_text(value: str, *, low: Decimal, high: Decimal, what: str) -> str:
    try:
        number = Decimal(value.strip().rstrip("%"))
    except InvalidOperation:
        raise ValueError(f"{what} must be a number, not {value!r}") from None
    if value.strip().endswith("%"):
        number /= 100
    if not number.is_finite() or not low <= number <= high:
        raise ValueError(f"{what} must be between {low} and {high}, not {value!r}")
    return str(number)


class PlanSettings(BaseModel):
    """One paid plan: the tier it grants, for how many days, at which prices."""

    tier: str = Field(description="the tier a payment grants (a key of `tiers`)")
    days: int = Field(default=30, gt=0, le=366, description="service days one payment buys")
    prices: dict[str, str] = Field(
        description='price per currency, e.g. {XTR = "150", EUR = "2.99"} (XTR: Telegram Stars)'
    )
    discord_sku: str | None = Field(default=None, description="the Discord SKU id selling it")
    scope: bool = Field(
        default=False, description="a server subscription: raises the server's shared pool"
    )
    title: str = Field(default="", description="the name fans see (default: the plan id)")

    @field_validator("prices")
    @classmethod
    def _prices(cls, prices: dict[str, str]) -> dict[str, str]:
        if not prices:
            raise ValueError("a plan needs at least one price")
        out = {}
        for currency, amount in prices.items():
            if len(currency) != 3 or not currency.isalpha():
                raise ValueError(f"{currency!r} is not a three-letter currency code")
            out[currency.upper()] = _decimal_text(
                amount, low=Decimal("0.000001"), high=Decimal(10**9), what=f"price in {currency}"
            )
        return out


def _default_plans() -> dict[str, PlanSettings]:
    return {
        "fan-month": PlanSettings(
            tier="fan", days=30, prices={"XTR": "150", "EUR": "2.99"}, title="Fan, 30 days"
        ),
        "pro-month": PlanSettings(
            tier="pro", days=30, prices={"XTR": "450", "EUR": "8.99"}, title="Pro, 30 days"
        ),
    }


class RevenueSettings(BaseModel):
    """How fans pay and how much of what they pay becomes the royalty pool."""

    plans: dict[str, PlanSettings] = Field(default_factory=_default_plans)
    royalty_share: str = Field(
        default="0.5", description="share of recognized net revenue that is the pool (0.5 or 50%)"
    )
    fees: dict[str, str] = Field(
        default_factory=lambda: {"telegram": "0", "discord": "0.15", "demo": "0.05"},
        description="platform fee per platform, as a share of the gross (0.15: 15 %)",
    )
    discord_currency: str = Field(
        default="EUR",
        description="the currency Discord charges fans in (the SKU prices set in Discord's developer "
        "portal): each new or renewed entitlement is recorded at the plan's price in it, less the "
        "`discord` fee; a plan with no price in it records no revenue (a warning says so)",
    )
    demo_payments: bool = Field(
        default=True,
        description="the console (`refrain chat`, `refrain demo`) sells plans with DEMO payments "
        "that no money backs (platform `demo` in the ledger)",
    )

    @field_validator("royalty_share")
    @classmethod
    def _share(cls, value: str) -> str:
        return _decimal_text(value, low=Decimal("0.000001"), high=Decimal(1), what="royalty_share")

    @field_validator("fees")
    @classmethod
    def _fees(cls, fees: dict[str, str]) -> dict[str, str]:
        return {
            platform: _decimal_text(rate, low=Decimal(0), high=Decimal("0.999999"),
                                    what=f"fee of {platform}")
            for platform, rate in fees.items()
        }
