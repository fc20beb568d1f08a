"""Telegram updates in, ``ChatHandler`` replies out: the adapter's routing, and nothing more.

Text commands (``/cover@Bot …``), plain text where the chat allows it,
button presses and deep links all become an ``Invocation`` for the one
``ChatHandler``; the replies are rendered as HTML with inline keyboards.
What only Telegram has — ``/trace`` on an attached file, ``/start clip_…``
deep links, the group's plain-text switch, the greeting that explains
privacy mode — is handled here, with every odd input (stickers, photos,
voice notes, stale or forged buttons, files too big to fetch) answered in
words.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import tempfile
from pathlib import Path

from telegram import (
    Chat,
    ChatMember,
    ChatMemberUpdated,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bots.telegram.chats import is_group, scope_id
from bots.telegram.delivery import Courier
from bots.telegram.inline import SHARE_PAYLOAD, InlineShares
from bots.telegram.invocations import (
    button_key,
    command_of,
    for_another_bot,
    invocation,
    is_reply_to,
    message_key,
    requester,
    strip_mention,
)
from bots.telegram.parts import Parts
from bots.telegram.payments import StarsPayments
from bots.telegram.progress import ProgressTracker
from bots.telegram.rendering import Rendered, render, to_html
from core.chat import Reply, ReplyKind
from core.commands import ErrorCode, ParseError, UpgradeCommand, parse_command
from core.model import Origin
from core.revenue import RevenueError

log = logging.getLogger(__name__)

_esc = functools.partial(html.escape, quote=False)

_SHARE_ID = re.compile(r"^[A-Za-z0-9_-]{8,58}$")
_IGNORED_IN_GROUPS = frozenset(
    {ErrorCode.UNKNOWN_VERB, ErrorCode.EMPTY, ErrorCode.BAD_CHARACTERS, ErrorCode.TOO_LONG}
)

EXPIRED_BUTTON = (
    "This button has expired (or isn't one of mine). Type the command instead — /help lists them."
)
PRIVACY_NOTE = (
    "Privacy mode is on, so in this group I only see /commands and replies to my messages."
)
NOT_TEXT = (
    "I only read text. Try /cover Golden Hour lofi, or /help for everything I can do. "
    "To check whether an audio file is a genuine Refrain clip, send it with /trace as its caption."
)
TRACE_HOW = (
    "To trace a clip, send the audio file with /trace as its caption, or reply /trace to the "
    "message that has it."
)


def _reply_to(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id=message_id, allow_sending_without_reply=True)


def _media_kind(message: Message) -> str | None:
    for kind in ("sticker", "photo", "video", "video_note", "animation", "voice", "audio",
                 "document", "location", "contact", "poll", "dice"):
        if getattr(message, kind, None):
            return kind.replace("_", " ")
    return None


class Router:
    def __init__(
        self, parts: Parts, courier: Courier, tracker: ProgressTracker, inline: InlineShares
    ) -> None:
        self._parts = parts
        self._courier = courier
        self._tracker = tracker
        self._inline = inline
        self.payments = StarsPayments(parts)

    # -- messages -------------------------------------------------------------------------
    async def on_message(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.from_user is None or message.chat.type == Chat.CHANNEL:
            return
        chat, user = message.chat, message.from_user
        parts = self._parts
        if message.successful_payment is not None:
            reply = await self.payments.paid(message, user)
            await self.send_replies(chat.id, [reply], message.message_id, Origin.COMMAND)
            return
        text = message.text if message.text is not None else message.caption
        if text is not None and for_another_bot(text, parts.username):
            return
        parsed = command_of(text) if text else None
        verb = parsed[0] if parsed else None
        argument = text.split(maxsplit=1)[1].strip() if text and parsed and len(text.split()) > 1 else ""
        group = is_group(chat.id)
        if verb == "trace":
            await self._trace(message, user)
            return
        if verb == "start":
            await self._start(message, user, argument)
            return
        if verb == "plaintext":
            await self._plain_text(message, user, argument)
            return
        if text is None:
            if not group or is_reply_to(message, parts.bot.id):
                await self._say(chat.id, _esc(NOT_TEXT), message.message_id)
            return
        if parsed is None and group:
            addressed = strip_mention(text, parts.username)
            if addressed is None and is_reply_to(message, parts.bot.id):
                addressed = text
            if addressed is None:
                if not await parts.plain_text.enabled(scope_id(chat.id)):
                    return
                if _chatter(text):
                    return
                addressed = text
            text = addressed
        if message.text is None and parsed is None:
            # a caption without a command on a photo or file: not meant for us
            if group:
                return
            await self._say(chat.id, _esc(NOT_TEXT), message.message_id)
            return
        await self._run(message, user, text, extra=self._notes(verb, chat.id))

    def _notes(self, verb: str | None, chat_id: int) -> list[Reply]:
        if verb == "help" and is_group(chat_id) and self._parts.privacy_mode:
            return [Reply(PRIVACY_NOTE, ReplyKind.INFO)]
        return []

    async def _moderator(self, chat_id: int, user: User, message: Message | None) -> bool:
        if not is_group(chat_id):
            return False
        sender_chat = message.sender_chat.id if message is not None and message.sender_chat else None
        return await self._parts.admins.is_admin(
            self._parts.bot, chat_id, user.id, sender_chat_id=sender_chat
        )

    async def _run(
        self, message: Message, user: User, text: str, *, extra: list[Reply] | None = None
    ) -> None:
        chat = message.chat
        if await self._invoice(chat.id, text, message.message_id):
            return
        moderator = await self._moderator(chat.id, user, message)
        inv = invocation(chat, user, text, message_key(chat.id, message.message_id),
                         is_moderator=moderator)
        replies = await self._parts.app.handler.handle(inv)
        await self.send_replies(chat.id, [*replies, *(extra or [])], message.message_id,
                                Origin.COMMAND)

    async def send_replies(
        self, chat_id: int, replies: list[Reply], reply_to: int | None, origin: Origin
    ) -> None:
        for reply in replies:
            pieces = await render(reply, self._parts.buttons, chat_id)
            sent: Message | None = None
            for piece in pieces:
                sent = await self._send(chat_id, piece, reply_to)
            if reply.kind is ReplyKind.QUEUED and reply.request_id and sent is not None:
                last = pieces[-1]
                self._tracker.track(
                    reply.request_id, chat_id, sent.message_id, reply_to=reply_to, origin=origin,
                    header_html=last.html, markup=last.markup,
                )

    async def _send(self, chat_id: int, piece: Rendered, reply_to: int | None) -> Message | None:
        bot = self._parts.bot
        return await self._parts.outbox.call(
            chat_id,
            "sendMessage",
            lambda: bot.send_message(
                chat_id, piece.html, parse_mode="HTML", reply_markup=piece.markup,
                reply_parameters=_reply_to(reply_to),
            ),
        )

    async def _say(
        self, chat_id: int, text_html: str, reply_to: int | None,
        markup: InlineKeyboardMarkup | None = None,
    ) -> None:
        await self._send(chat_id, Rendered(text_html, markup), reply_to)

    async def _invoice(self, chat_id: int, text: str, reply_to: int | None) -> bool:
        """``upgrade PLAN``: Telegram's way to pay is an invoice in Stars (True: handled here)."""
        parsed = parse_command(strip_mention(text, self._parts.username) or text)
        if not isinstance(parsed, UpgradeCommand) or parsed.plan is None:
            return False
        upgrades = self._parts.app.handler.upgrades
        try:
            if upgrades.revenue is None:
                raise RevenueError("This bot sells no plans right now.")
            plan = upgrades.revenue.plans.get(parsed.plan)
        except RevenueError as error:
            await self._say(chat_id, _esc(error.user_message), reply_to)
            return True
        problem = await self.payments.invoice(chat_id, plan)
        if problem is not None:
            await self.send_replies(chat_id, [problem], reply_to, Origin.COMMAND)
        return True

    async def on_pre_checkout(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.pre_checkout_query is not None:
            await self.payments.pre_checkout(update.pre_checkout_query)

    # -- buttons --------------------------------------------------------------------------
    async def on_callback(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        outbox = self._parts.outbox
        message = query.message
        chat_id = message.chat.id if message is not None else None
        stored = await self._parts.buttons.get(query.data, chat_id)
        if stored is None or message is None or chat_id is None:
            await outbox.call(None, "answerCallbackQuery",
                              lambda: query.answer(EXPIRED_BUTTON, show_alert=True))
            return
        await outbox.call(None, "answerCallbackQuery", lambda: query.answer())
        if await self._invoice(chat_id, stored.command, None):
            return
        user = query.from_user
        accessible = message if isinstance(message, Message) else None
        moderator = await self._moderator(chat_id, user, None)
        inv = invocation(message.chat, user, stored.command,
                         button_key(chat_id, query.data or "", user.id), is_moderator=moderator,
                         origin=stored.origin)
        replies = await self._parts.app.handler.handle(inv)
        reply_to = accessible.message_id if accessible is not None else None
        await self.send_replies(chat_id, replies, reply_to, stored.origin)

    # -- deep links -----------------------------------------------------------------------
    async def _start(self, message: Message, user: User, payload: str) -> None:
        chat = message.chat
        if payload.startswith(SHARE_PAYLOAD) and not is_group(chat.id):
            share_id = payload[len(SHARE_PAYLOAD) :]
            if not _SHARE_ID.match(share_id):
                await self._say(chat.id, "⚠️ That clip link is broken: it has no valid clip id. "
                                "Ask whoever shared it to send it again.", message.message_id)
                return
            who = await self._parts.app.requests.user_for(requester(chat.id, user))
            await self._courier.open_shared(share_id, chat.id, who, message.message_id)
            return
        await self._run(message, user, "help", extra=self._notes("help", chat.id))

    # -- the group's plain-text switch ----------------------------------------------------
    async def _plain_text(self, message: Message, user: User, argument: str) -> None:
        chat = message.chat
        parts = self._parts
        if not is_group(chat.id):
            await self._say(chat.id, "In a private chat I always read plain messages such as "
                            "<code>cover Golden Hour lofi</code>.", message.message_id)
            return
        scope = scope_id(chat.id)
        choice = argument.strip().lower()
        current = await parts.plain_text.enabled(scope)
        if choice not in ("on", "off"):
            state = "on" if current else "off"
            await self._say(chat.id, f"Plain-text commands are <b>{state}</b> in this group. "
                            "Admins: <code>/plaintext on</code> or <code>/plaintext off</code>.",
                            message.message_id)
            return
        if not await self._moderator(chat.id, user, message):
            await self._say(chat.id, "✋ Only this group's admins can change that.",
                            message.message_id)
            return
        actor = await parts.app.requests.user_for(requester(chat.id, user))
        await parts.plain_text.set(scope, choice == "on", actor.id, parts.app.clock.now())
        text = f"Done: plain-text commands {choice}."
        if choice == "on" and parts.privacy_mode:
            text += (" Note: my privacy mode is on, so Telegram only shows me /commands and replies "
                     "to my messages; the bot's owner can turn it off with BotFather (/setprivacy).")
        await self._say(chat.id, _esc(text), message.message_id)

    # -- trace ----------------------------------------------------------------------------
    async def _trace(self, message: Message, user: User) -> None:
        chat = message.chat
        source = message if _audio_file(message) or _media_kind(message) else message.reply_to_message
        if source is None:
            await self._say(chat.id, _esc(TRACE_HOW), message.message_id)
            return
        found = _audio_file(source)
        if found is None:
            kind = _media_kind(source)
            what = f"a {kind}" if kind else "a text message"
            await self._say(chat.id, _esc(f"That's {what}, not an audio file. {TRACE_HOW}"),
                            message.message_id)
            return
        file_id, size = found
        limit = self._parts.settings.max_download_bytes
        if size is not None and size > limit:
            await self._say(
                chat.id,
                _esc(f"That file is {size / 1e6:.0f} MB; Telegram lets bots fetch files up to "
                            f"{limit / 1e6:.0f} MB. Send a shorter excerpt (a few seconds are enough)."),
                message.message_id,
            )
            return
        answer = await self._trace_file(file_id, chat.id, user)
        await self._say(chat.id, to_html(answer), message.message_id)

    async def _trace_file(self, file_id: str, chat_id: int, user: User) -> str:
        parts = self._parts
        bot = parts.bot
        remote = await parts.outbox.call(None, "getFile", lambda: bot.get_file(file_id))
        if remote is None:
            return "I could not fetch that file from Telegram. Please send it again."
        who = await parts.app.requests.user_for(requester(chat_id, user))
        with tempfile.TemporaryDirectory(prefix="refrain-trace-") as folder:
            path = Path(folder) / "clip"
            try:
                await remote.download_to_drive(path)
            except TelegramError as exc:
                log.warning("trace download failed: %s", exc)
                return "I could not download that file from Telegram. Please send it again."
            outcome = await parts.app.tracer.trace(
                path, viewer_user_id=who.id, full_record=user.id in parts.settings.moderators
            )
        return outcome.message

    # -- inline mode ----------------------------------------------------------------------
    async def on_inline_query(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.inline_query is not None:
            await self._inline.answer(update.inline_query)

    async def on_chosen_inline(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.chosen_inline_result is not None:
            await self._inline.chosen(update.chosen_inline_result)

    # -- joining a group ------------------------------------------------------------------
    async def on_my_chat_member(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        change: ChatMemberUpdated | None = update.my_chat_member
        if change is None or not is_group(change.chat.id):
            return
        was_in = change.old_chat_member.status not in (ChatMember.LEFT, ChatMember.BANNED)
        is_in = change.new_chat_member.status not in (ChatMember.LEFT, ChatMember.BANNED)
        if was_in or not is_in:
            return
        text = ("👋 Hi! I make short, licensed covers of catalog songs. "
                "Try <code>/cover Golden Hour lofi</code> or /help.\n")
        if self._parts.privacy_mode:
            text += _esc(PRIVACY_NOTE) + "\n"
        text += ("Admins: <code>/settings</code> (allowed styles, length limit, cooldown, daily pool), "
                 "<code>/plaintext on|off</code>, <code>/audit</code>.")
        await self._say(change.chat.id, text, None)


def _audio_file(message: Message) -> tuple[str, int | None] | None:
    """(file id, size) of the audio-like file a message carries (audio, voice, document, video)."""
    for attachment in (message.audio, message.voice, message.document, message.video,
                       message.video_note):
        if attachment is not None:
            return attachment.file_id, attachment.file_size
    return None


def _chatter(text: str) -> bool:
    """Plain group talk that is not a command: ignored rather than answered with an error."""
    parsed = parse_command(text)
    return isinstance(parsed, ParseError) and parsed.code in _IGNORED_IN_GROUPS
