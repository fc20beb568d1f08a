"""A local stand-in for the Telegram Bot API, for running the real python-telegram-bot.

It answers the methods Refrain's bot calls, records every call (fields and
uploaded files) so tests assert on what a user would see, long-polls
``getUpdates`` from a queue the test pushes updates into, and can be told to
fail the next calls of a method (429 with ``retry_after``, 403 Forbidden,
400). Uploaded files get a ``file_id`` and can be downloaded again through
the file endpoint, like the real API.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

BOT_ID = 7000001
BOT_USERNAME = "RefrainTestBot"


@dataclass
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Call:
    """One Bot API request: its method, its form fields (raw strings) and any uploads."""

    method: str
    fields: dict[str, str]
    files: dict[str, Upload] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    result: Any = None  # what the fake answered (the sent message, …)

    def json(self, name: str) -> Any:
        """A field decoded from JSON (PTB encodes every non-string value as JSON)."""
        return json.loads(self.fields[name])

    @property
    def chat_id(self) -> int | None:
        raw = self.fields.get("chat_id")
        return int(raw) if raw is not None else None

    @property
    def text(self) -> str:
        return self.fields.get("text") or self.fields.get("caption") or ""

    def button_data(self) -> list[str]:
        """callback_data of every inline button on the message."""
        markup = self.json("reply_markup") if "reply_markup" in self.fields else {}
        return [
            b["callback_data"]
            for row in markup.get("inline_keyboard", [])
            for b in row
            if "callback_data" in b
        ]

    def buttons(self) -> list[dict[str, Any]]:
        markup = self.json("reply_markup") if "reply_markup" in self.fields else {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class Failure:
    code: int
    description: str
    retry_after: int | None = None


def user(user_id: int, name: str = "Fan") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name, "username": name.lower()}


def private_chat(user_id: int, name: str = "Fan") -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": name}


def group_chat(chat_id: int, title: str = "Cover Club") -> dict[str, Any]:
    return {"id": chat_id, "type": "supergroup", "title": title}


class FakeTelegram:
    """The fake server. ``async with FakeTelegram() as tg:`` starts it on an ephemeral port."""

    def __init__(self, token: str = "123456:TEST-TOKEN", *, privacy_mode: bool = True) -> None:
        self.token = token
        self.privacy_mode = privacy_mode
        self.calls: list[Call] = []
        self.failures: dict[str, deque[Failure]] = defaultdict(deque)
        self.admins: dict[int, set[int]] = defaultdict(set)  # chat id → admin user ids
        self.files: dict[str, bytes] = {}
        self.charges: dict[str, int] = {}  # telegram_payment_charge_id → payer (refundable)
        self.refunded: set[str] = set()
        self._file_paths: dict[str, str] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._file_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ------------------------------------------------------------------------
    async def __aenter__(self) -> FakeTelegram:
        app = web.Application(client_max_size=200 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._api)
        app.router.add_get("/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and hasattr(server, "sockets")
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- what tests do --------------------------------------------------------------------
    def fail_next(
        self, method: str, code: int, description: str, *, retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        for _ in range(times):
            self.failures[method].append(Failure(code, description, retry_after))

    async def push(self, update: dict[str, Any]) -> int:
        """Queue an update for ``getUpdates``; returns its ``update_id``."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return int(update["update_id"])

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def new_message_id(self, chat_id: int) -> int:
        return next(self._message_ids[chat_id])

    def message(
        self,
        chat: dict[str, Any],
        sender: dict[str, Any],
        text: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A ``message`` update (not yet pushed); commands get their ``bot_command`` entity."""
        message: dict[str, Any] = {
            "message_id": self.new_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
            "from": sender,
            **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                length = len(text.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"message": message}

    def callback(self, message: dict[str, Any], sender: dict[str, Any], data: str) -> dict[str, Any]:
        """A button press on ``message`` (a message the bot sent, as the fake returned it)."""
        return {
            "callback_query": {
                "id": str(next(self._file_ids)) + "cb",
                "from": sender,
                "message": message,
                "chat_instance": "ci-1",
                "data": data,
            }
        }

    # -- payments (Telegram Stars) --------------------------------------------------------
    def pre_checkout(
        self, sender: dict[str, Any], payload: str, total_amount: int, currency: str = "XTR"
    ) -> dict[str, Any]:
        """A ``pre_checkout_query`` update: the fan pressed Pay on an invoice."""
        return {
            "pre_checkout_query": {
                "id": f"pcq{next(self._file_ids)}",
                "from": sender,
                "currency": currency,
                "total_amount": total_amount,
                "invoice_payload": payload,
            }
        }

    def successful_payment(
        self,
        chat: dict[str, Any],
        sender: dict[str, Any],
        payload: str,
        total_amount: int,
        charge_id: str,
        *,
        currency: str = "XTR",
        recurring: bool = False,
        first_recurring: bool = False,
        expires: int | None = None,
    ) -> dict[str, Any]:
        """The service message Telegram sends once the Stars were paid (a renewal: recurring)."""
        payment: dict[str, Any] = {
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": "",
        }
        if recurring:
            payment["is_recurring"] = True
            payment["is_first_recurring"] = first_recurring
            payment["subscription_expiration_date"] = expires or int(time.time()) + 30 * 86_400
        self.charges[charge_id] = int(sender["id"])
        return self.message(chat, sender, None, successful_payment=payment)

    def add_file(self, data: bytes, *, name: str = "clip.mp3") -> str:
        """A file users can send (its ``file_id``); the bot downloads it via getFile."""
        file_id = f"F{next(self._file_ids)}"
        self.files[file_id] = data
        self._file_paths[file_id] = f"documents/{file_id}_{name}"
        return file_id

    def of(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [
            c for c in self.calls if c.method == method and (chat_id is None or c.chat_id == chat_id)
        ]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] = lambda _c: True,
        *,
        timeout: float = 20.0,
        after: int = 0,
    ) -> Call:
        """The first call of ``method`` (from index ``after``) matching ``predicate``."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for call in self.calls[after:]:
                if call.method == method and predicate(call):
                    return call
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                seen = [(c.method, c.fields.get("text", "")[:80]) for c in self.calls[after:]]
                raise TimeoutError(f"no {method} call within {timeout} s; calls: {seen}")
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), min(left, 0.5))

    async def settle(self, quiet_s: float = 0.4, timeout: float = 20.0) -> None:
        """Wait until the bot has made no call for ``quiet_s``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        count = -1
        while loop.time() < deadline:
            if count == len(self.calls):
                return
            count = len(self.calls)
            await asyncio.sleep(quiet_s)
        raise TimeoutError("the bot kept calling the API")

    # -- the API --------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        fields: dict[str, str] = {}
        files: dict[str, Upload] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.filename:
                    files[part.name or ""] = Upload(
                        part.filename, part.headers.get("Content-Type", ""), await part.read()
                    )
                else:
                    fields[part.name or ""] = await part.text()
        else:
            form = await request.post()
            fields = {k: str(v) for k, v in form.items()}
        call = Call(method, fields, files)
        if method != "getUpdates":
            self.calls.append(call)
            async with self._changed:
                self._changed.notify_all()
        queued = self.failures.get(method)
        if queued:
            failure = queued.popleft()
            return _error(failure.code, failure.description, failure.retry_after)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, f"Not Found: method {method} is not faked")
        result = await handler(call)
        if isinstance(result, web.Response):
            return result
        call.result = result
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        for file_id, stored in self._file_paths.items():
            if stored == path:
                return web.Response(body=self.files[file_id])
        return web.Response(status=404)

    def _sent(self, call: Call, **content: Any) -> dict[str, Any]:
        chat_id = int(call.fields["chat_id"])
        chat = private_chat(chat_id) if chat_id > 0 else group_chat(chat_id)
        return {
            "message_id": self.new_message_id(chat_id),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Refrain", "username": BOT_USERNAME},
            **content,
        }

    async def _m_getMe(self, _call: Call) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Refrain",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": True,
        }

    async def _m_getUpdates(self, call: Call) -> list[dict[str, Any]]:
        offset = int(call.fields.get("offset", "0") or 0)
        timeout = float(call.fields.get("timeout", "0") or 0)
        deadline = asyncio.get_running_loop().time() + timeout
        async with self._changed:
            while True:
                ready = [u for u in self._updates if u["update_id"] >= offset]
                left = deadline - asyncio.get_running_loop().time()
                if ready or left <= 0:
                    return ready
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), left)

    async def _m_sendMessage(self, call: Call) -> dict[str, Any]:
        extra = {"reply_markup": call.json("reply_markup")} if "reply_markup" in call.fields else {}
        return self._sent(call, text=call.fields.get("text", ""), **extra)

    async def _m_editMessageText(self, call: Call) -> dict[str, Any]:
        chat_id = int(call.fields["chat_id"])
        chat = private_chat(chat_id) if chat_id > 0 else group_chat(chat_id)
        return {
            "message_id": int(call.fields["message_id"]),
            "date": int(time.time()),
            "chat": chat,
            "text": call.fields.get("text", ""),
        }

    async def _m_editMessageReplyMarkup(self, call: Call) -> bool:
        return True

    async def _m_sendAudio(self, call: Call) -> dict[str, Any] | web.Response:
        upload = call.files.get("audio")
        if upload is not None:
            file_id = f"AUDIO{next(self._file_ids)}"
            self.files[file_id] = upload.data
        else:
            file_id = call.fields["audio"]
            if file_id not in self.files:
                return _error(400, "Bad Request: wrong file identifier/HTTP URL specified")
        audio = {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "duration": int(call.fields.get("duration", "0") or 0),
            "title": call.fields.get("title"),
            "performer": call.fields.get("performer"),
            "file_size": len(self.files[file_id]),
        }
        return self._sent(call, audio=audio, caption=call.fields.get("caption", ""))

    async def _m_getFile(self, call: Call) -> dict[str, Any] | web.Response:
        file_id = call.fields["file_id"]
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_size": len(self.files[file_id]),
            "file_path": self._file_paths.get(file_id, f"documents/{file_id}"),
        }

    async def _m_getChatMember(self, call: Call) -> dict[str, Any]:
        chat_id, user_id = int(call.fields["chat_id"]), int(call.fields["user_id"])
        member = user(user_id)
        if user_id not in self.admins[chat_id]:
            return {"status": "member", "user": member}
        rights = dict.fromkeys(
            (
                "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
                "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                "can_delete_stories",
            ),
            False,
        )
        return {"status": "administrator", "user": member, **rights, "can_manage_chat": True}

    async def _m_sendInvoice(self, call: Call) -> dict[str, Any] | web.Response:
        problem = _invoice_problem(call)
        if problem:
            return _error(400, f"Bad Request: {problem}")
        invoice = {
            "title": call.fields["title"],
            "description": call.fields["description"],
            "start_parameter": call.fields.get("start_parameter", ""),
            "currency": call.fields["currency"],
            "total_amount": sum(p["amount"] for p in call.json("prices")),
        }
        return self._sent(call, invoice=invoice)

    async def _m_createInvoiceLink(self, call: Call) -> str | web.Response:
        problem = _invoice_problem(call)
        period = call.fields.get("subscription_period")
        if period is not None and int(period) != 2_592_000:
            problem = "SUBSCRIPTION_PERIOD_INVALID"
        if problem:
            return _error(400, f"Bad Request: {problem}")
        return f"https://t.me/$fake-invoice-{len(self.calls)}"

    async def _m_answerPreCheckoutQuery(self, call: Call) -> bool | web.Response:
        ok = call.fields.get("ok") == "true"
        if not ok and not call.fields.get("error_message"):
            return _error(400, "Bad Request: error_message is required when ok is false")
        return True

    async def _m_refundStarPayment(self, call: Call) -> bool | web.Response:
        charge = call.fields["telegram_payment_charge_id"]
        if self.charges.get(charge) != int(call.fields["user_id"]):
            return _error(400, "Bad Request: CHARGE_NOT_FOUND")
        if charge in self.refunded:
            return _error(400, "Bad Request: CHARGE_ALREADY_REFUNDED")
        self.refunded.add(charge)
        return True

    async def _true(self, _call: Call) -> bool:
        return True

    _m_answerCallbackQuery = _true
    _m_answerInlineQuery = _true
    _m_setMyCommands = _true
    _m_deleteWebhook = _true
    _m_setWebhook = _true
    _m_sendChatAction = _true
    _m_close = _true
    _m_logOut = _true


def _invoice_problem(call: Call) -> str | None:
    """What the real API says of a Stars invoice it refuses (one price, in XTR, no token)."""
    if call.fields.get("currency") != "XTR":
        return "CURRENCY_INVALID"
    prices = call.json("prices")
    if len(prices) != 1 or prices[0]["amount"] < 1:
        return "STARS_INVOICE_INVALID"
    if call.fields.get("provider_token"):
        return "PAYMENT_PROVIDER_INVALID"
    payload = call.fields.get("payload", "")
    if not 1 <= len(payload.encode()) <= 128:
        return "INVOICE_PAYLOAD_INVALID"
    return None


def _error(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)
