"""The operator's side of Telegram Stars: giving a fan's Stars back (``refundStarPayment``).

A refund is the platform's first: the Stars go back through the Bot API, and
only then does the ledger record the refund and end the grant. Run twice (the
ledger write failed after Telegram refunded), Telegram's "already refunded"
is taken as done, so the ledger catches up instead of refusing.
"""

from __future__ import annotations

from telegram import Bot
from telegram.error import TelegramError

import bots.telegram  # noqa: F401  (sets PTB's timedelta mode before telegram is imported)
from config import RefrainSettings
from refrain.clikit import UserError

ALREADY = "CHARGE_ALREADY_REFUNDED"


async def refund_stars(settings: RefrainSettings, telegram_user_id: int, charge_id: str) -> None:
    """Give the Stars of ``charge_id`` back to the fan who paid them; raise in words if Telegram
    refuses (nothing is recorded then)."""
    if settings.telegram_token is None:
        raise UserError("a Telegram refund needs the bot's token (REFRAIN_TELEGRAM_TOKEN); "
                        "nothing was refunded")
    bot = Bot(settings.telegram_token.get_secret_value(), base_url=settings.telegram.api_base_url,
              base_file_url=settings.telegram.api_file_url)
    try:
        async with bot:
            await bot.refund_star_payment(telegram_user_id, charge_id)
    except TelegramError as error:
        if ALREADY in str(error):
            return
        raise UserError(f"Telegram refused the refund of {charge_id}: {error.message}; "
                        "nothing was recorded") from error


__all__ = ["refund_stars"]
