"""Builds the python-telegram-bot ``Application`` around Refrain's ``App`` and runs it.

``TelegramBot(app, token)`` wires the adapter's parts; ``running()`` starts
it: commands registered per scope (private chats, groups, group admins),
the job-event tracker, and updates by long polling — or, when
``settings.telegram.webhook_url`` is set, by the webhook route of the web
server. The Bot API base URLs come from settings so tests point the real
library at a local fake.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Update,
)
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    PreCheckoutQueryHandler,
    TypeHandler,
    filters,
)

from bots.telegram.admins import AdminCache
from bots.telegram.buttons import ButtonStore
from bots.telegram.chats import PLATFORM, redact
from bots.telegram.delivery import Courier
from bots.telegram.handlers import Router
from bots.telegram.inline import InlineShares
from bots.telegram.outbox import Outbox
from bots.telegram.parts import Parts
from bots.telegram.plain_text import PlainTextSwitch
from bots.telegram.progress import ProgressTracker
from bots.telegram.webhook import inbox_for
from config.telegram import TelegramSettings
from core.service import Refrain

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
    Update.CHOSEN_INLINE_RESULT,
    Update.MY_CHAT_MEMBER,
    Update.PRE_CHECKOUT_QUERY,
]
_SEEN_UPDATES = 10_000
MISSED_WINDOW = timedelta(hours=24)  # clips older than this are not pushed unasked

_EVERYONE = [
    ("cover", "Make a cover: /cover <song> [style] [voice] [length]"),
    ("styles", "Styles you can use (for a song: /styles <song>)"),
    ("voices", "Consented voices (for a song: /voices <song>)"),
    ("quota", "Your render-seconds left"),
    ("upgrade", "Paid plans: more render time, longer clips (Telegram Stars)"),
    ("status", "Your latest requests, or one: /status <id>"),
    ("cancel", "Cancel a request: /cancel <id>"),
    ("trace", "Is this a genuine Refrain clip? Reply /trace to an audio file"),
    ("terms", "Terms of use (/terms accept)"),
    ("help", "What I can do"),
]
PRIVATE_COMMANDS = [BotCommand("start", "Start, or open a shared clip"), *(BotCommand(*c) for c in _EVERYONE)]
GROUP_COMMANDS = [BotCommand(*c) for c in _EVERYONE]
ADMIN_COMMANDS = [
    *GROUP_COMMANDS,
    BotCommand("settings", "Group settings: styles, max-length, cooldown, pool, ban"),
    BotCommand("plaintext", "Read plain messages as commands here: on or off"),
    BotCommand("audit", "Who changed which setting"),
]


class TelegramBot:
    """Refrain's Telegram bot: one PTB ``Application`` plus the adapter's parts."""

    def __init__(self, app: Refrain, token: str, settings: TelegramSettings) -> None:
        self.settings = settings
        builder = (
            ApplicationBuilder()
            .token(token)
            .base_url(self.settings.api_base_url)
            .base_file_url(self.settings.api_file_url)
            .concurrent_updates(True)
        )
        if self.settings.webhook_url:
            builder = builder.updater(None)
        self.application: Application = builder.build()  # type: ignore[type-arg]
        self.parts = Parts(
            app=app,
            settings=self.settings,
            bot=self.application.bot,
            outbox=Outbox(self.settings),
            buttons=ButtonStore(
                app.buttons, app.clock, self.settings.button_ttl_s, self.settings.max_buttons
            ),
            admins=AdminCache(self.settings.admin_cache_s),
            plain_text=PlainTextSwitch(app.audit),
        )
        self.courier = Courier(self.parts)
        self.tracker = ProgressTracker(self.parts, self.courier)
        self.inline = InlineShares(self.parts)
        self.router = Router(self.parts, self.courier, self.tracker, self.inline)
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._register()

    def _register(self) -> None:
        add = self.application.add_handler
        add(TypeHandler(Update, self._once), group=-1)
        add(MessageHandler(filters.UpdateType.MESSAGE, self.router.on_message))
        add(CallbackQueryHandler(self.router.on_callback))
        add(PreCheckoutQueryHandler(self.router.on_pre_checkout))
        add(InlineQueryHandler(self.router.on_inline_query))
        add(ChosenInlineResultHandler(self.router.on_chosen_inline))
        add(ChatMemberHandler(self.router.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
        self.application.add_error_handler(self._on_error)

    async def _once(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Each update id is handled once: a webhook re-delivery stops here."""
        if update.update_id in self._seen:
            raise ApplicationHandlerStop
        self._seen[update.update_id] = None
        while len(self._seen) > _SEEN_UPDATES:
            self._seen.popitem(last=False)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        log.error("Telegram update in chat %s failed", redact(chat.id if chat else None),
                  exc_info=context.error)

    async def register_commands(self) -> None:
        """The command menus (``set_my_commands``): private chats, groups, group admins."""
        bot = self.application.bot
        outbox = self.parts.outbox
        for commands, scope in (
            (PRIVATE_COMMANDS, BotCommandScopeAllPrivateChats()),
            (GROUP_COMMANDS, BotCommandScopeAllGroupChats()),
            (ADMIN_COMMANDS, BotCommandScopeAllChatAdministrators()),
        ):
            await outbox.call(
                None, "setMyCommands",
                lambda c=commands, s=scope: bot.set_my_commands(c, scope=s),  # type: ignore[misc]
            )

    async def _initialize(self) -> None:
        tries = 0
        while True:
            try:
                await self.application.initialize()
                return
            except InvalidToken:
                await self.application.bot.shutdown()  # close the HTTP pools it opened
                raise
            except NetworkError as exc:
                tries += 1
                if tries > self.settings.network_retries:
                    await self.application.bot.shutdown()
                    raise
                log.warning("Telegram unreachable (%s); retrying", exc)
                await asyncio.sleep(min(30.0, 2.0**tries))

    async def _hand_over_missed(self) -> None:
        """Clips that finished while this bot was down: send them now (never a lost result)."""
        app = self.parts.app
        try:
            waiting = await app.deliveries.awaiting_handover(
                PLATFORM, app.clock.now() - MISSED_WINDOW
            )
            for request in waiting:
                if request.clip_id is not None:
                    await self.courier.deliver_request(request.id, request.clip_id)
            if waiting:
                log.info("handed over %d clip(s) finished while the bot was away", len(waiting))
        except Exception:  # the next start tries again; the clips are kept
            log.exception("could not hand over the clips finished while the bot was away")

    @asynccontextmanager
    async def running(self) -> AsyncIterator[TelegramBot]:
        """Run the bot until the block ends."""
        application = self.application
        await self._initialize()
        tasks: list[asyncio.Task[None]] = []
        try:
            await self.register_commands()
            await application.start()
            tasks.append(asyncio.create_task(self.tracker.run(), name="telegram-progress"))
            tasks.append(asyncio.create_task(self._hand_over_missed(), name="telegram-missed"))
            if self.settings.webhook_url:
                tasks.append(asyncio.create_task(self._serve_webhook(), name="telegram-webhook"))
                await self._set_webhook(self.settings.webhook_url)
            else:
                assert application.updater is not None
                await application.updater.start_polling(
                    poll_interval=0.0,
                    timeout=self.settings.poll_timeout_s,
                    allowed_updates=ALLOWED_UPDATES,
                )
            log.info("Telegram bot @%s running (%s)", self.parts.username,
                     "webhook" if self.settings.webhook_url else "polling")
            yield self
        finally:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self.tracker.close()
            if application.running:
                await application.stop()
            await application.shutdown()

    async def _set_webhook(self, url: str) -> None:
        inbox = inbox_for(self.parts.app)
        configured = self.settings.webhook_secret
        inbox.secret = configured.get_secret_value() if configured else secrets.token_urlsafe(32)
        bot = self.application.bot
        secret = inbox.secret
        await self.parts.outbox.call(
            None, "setWebhook",
            lambda: bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES),
        )

    async def _serve_webhook(self) -> None:
        """Hand updates from the web server's inbox to the application."""
        inbox = inbox_for(self.parts.app)
        application = self.application
        try:
            while True:
                data = await inbox.queue.get()
                try:
                    update = Update.de_json(data, application.bot)
                except Exception:
                    log.warning("webhook body is not a valid update; dropped")
                    continue
                await application.update_queue.put(update)
        finally:
            inbox.secret = None


def build_bot(app: Refrain, token: str, settings: TelegramSettings) -> TelegramBot:
    """The bot over ``app``'s use cases."""
    return TelegramBot(app, token, settings)
