"""Telegram Stars: invoices for plans, the pre-checkout answer, confirmed and refunded payments.

Telegram sells digital goods in Stars (``XTR``). ``upgrade PLAN`` (typed, or
the plan's button under ``/upgrade``) sends an invoice — or, for a 30-day
plan where subscriptions are on, a subscription link that renews itself.
Telegram then asks whether the order still stands (``pre_checkout_query``,
answered at once: Telegram gives a bot 10 s) and confirms with a
``successful_payment`` message, recorded once by its
``telegram_payment_charge_id``. Every decision (does the plan exist at this
price, is the fan banned, what the payment buys) is ``core.chat.Upgrades``'.
"""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
    User,
)

from bots.telegram.chats import redact
from bots.telegram.invocations import requester
from bots.telegram.parts import Parts
from core.chat import Paid, Reply, ReplyKind
from core.revenue import Plan, RevenueError

log = logging.getLogger(__name__)

STARS = "XTR"
MICROS = 1_000_000
PAYLOAD_PREFIX = "plan:"
SUBSCRIPTION_DAYS = 30
SUBSCRIPTION_PERIOD_S = 30 * 86_400  # the only period the Bot API accepts (2592000)


def payload_of(plan: Plan) -> str:
    return f"{PAYLOAD_PREFIX}{plan.id}"


def plan_id_of(payload: str) -> str | None:
    return payload[len(PAYLOAD_PREFIX):] if payload.startswith(PAYLOAD_PREFIX) else None


class StarsPayments:
    """Invoices out, pre-checkouts answered, payments in — for one bot."""

    def __init__(self, parts: Parts) -> None:
        self._parts = parts

    async def invoice(self, chat_id: int, plan: Plan) -> Reply | None:
        """Send the plan's Stars invoice (or subscription link); a ``Reply`` when it cannot be sold."""
        stars = plan.prices.get(STARS)
        if stars is None or stars % MICROS:
            return Reply(f"{plan.name} is not sold in Telegram Stars here.", ReplyKind.ERROR,
                         code="NOT_SOLD_HERE")
        bot = self._parts.bot
        amount = stars // MICROS
        prices = [LabeledPrice(plan.name, amount)]
        description = f"The {plan.tier} tier for {plan.days} days: more render time, longer clips."
        if self._parts.settings.stars_subscriptions and plan.days == SUBSCRIPTION_DAYS:
            link = await self._parts.outbox.call(None, "createInvoiceLink", lambda: bot.create_invoice_link(
                plan.name, description, payload_of(plan), STARS, prices,
                subscription_period=SUBSCRIPTION_PERIOD_S,
            ))
            if link is None:
                return Reply("Telegram did not make the payment link; try /upgrade again.",
                             ReplyKind.ERROR, code="INVOICE_FAILED")
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(f"Subscribe for {amount} ⭐",
                                                                 url=link)]])
            await self._parts.outbox.call(chat_id, "sendMessage", lambda: bot.send_message(
                chat_id, f"{plan.name}: {amount} ⭐ every 30 days, cancel any time.",
                reply_markup=markup))
            return None
        sent = await self._parts.outbox.call(chat_id, "sendInvoice", lambda: bot.send_invoice(
            chat_id, plan.name, description, payload_of(plan), STARS, prices, provider_token="",
        ))
        if sent is None:
            return Reply("Telegram did not take the invoice; try /upgrade again.",
                         ReplyKind.ERROR, code="INVOICE_FAILED")
        return None

    async def pre_checkout(self, query: PreCheckoutQuery) -> None:
        """Answer at once: yes, or no with the plain reason Telegram shows the fan."""
        user = query.from_user
        plan_id = plan_id_of(query.invoice_payload)
        reason: str | None = "This invoice is not one of mine; send /upgrade for a fresh one."
        if plan_id is not None:
            who = requester(user.id, user)
            reason = await self._parts.app.handler.upgrades.pre_checkout(
                who, plan_id, query.currency, query.total_amount * MICROS)
        bot = self._parts.bot
        await self._parts.outbox.call(None, "answerPreCheckoutQuery", lambda: (
            bot.answer_pre_checkout_query(query.id, ok=True) if reason is None
            else bot.answer_pre_checkout_query(query.id, ok=False, error_message=reason)
        ))

    async def paid(self, message: Message, user: User) -> Reply:
        """Record the confirmed payment (once) and say what it bought."""
        payment = message.successful_payment
        assert payment is not None
        plan_id = plan_id_of(payment.invoice_payload) or payment.invoice_payload
        renewal = bool(payment.is_recurring and not payment.is_first_recurring)
        at = self._parts.app.clock.now()  # when Refrain learned of it: the grant starts now
        try:
            return await self._parts.app.handler.upgrades.paid(
                requester(message.chat.id, user),
                Paid("telegram", payment.telegram_payment_charge_id, plan_id, payment.currency,
                     payment.total_amount * MICROS, at, renewal),
            )
        except RevenueError as error:
            # the money arrived for a plan that is gone: the operator refunds it by its charge id
            log.error("payment %s in chat %s could not be granted: %s",
                      redact(payment.telegram_payment_charge_id), redact(message.chat.id), error)
            return Reply(f"{error.user_message} Your payment is kept safe: a moderator can refund it "
                         "(quote this message).", ReplyKind.ERROR, code="PAYMENT_NOT_GRANTED")


__all__ = ["PAYLOAD_PREFIX", "STARS", "SUBSCRIPTION_PERIOD_S", "StarsPayments", "payload_of"]
