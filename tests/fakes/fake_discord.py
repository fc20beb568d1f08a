"""A local stand-in for Discord's gateway and REST API, for the real discord.py client.

Neither Discord nor the internet can be reached from the test machines, so the
bot tests point discord.py here (``discord.http.Route.BASE`` and
``DiscordWebSocket.DEFAULT_GATEWAY``). The fake speaks just enough of the
protocol: HELLO / IDENTIFY / READY / GUILD_CREATE / heartbeats / RESUME with
replay, the interaction callback and webhook routes, channel messages (JSON or
multipart with files), DMs and command sync. It records every request so
tests assert on what a user would have seen, and it can inject failures
(429 with ``retry_after``, 403 missing permissions, 5xx), expire interaction
tokens, drop the gateway connection or remove a guild.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

APP_ID = 900_000_000_000_000_001
BOT_ID = APP_ID
GUILD_ID = 910_000_000_000_000_001
CHANNEL_ID = 920_000_000_000_000_001
OTHER_CHANNEL_ID = 920_000_000_000_000_002
DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024

MANAGE_GUILD = 1 << 5
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
BOT_PERMISSIONS = SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | (1 << 10)  # + view channel

JSON = {"Content-Type": "application/json"}


@dataclass
class Recorded:
    """One REST request as the fake received it; ``files`` maps field name → (filename, bytes)."""

    method: str
    path: str
    json: Any  # a dict, or a list (command sync)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    status: int = 200
    at: float = field(default_factory=time.monotonic)

    @property
    def body(self) -> dict[str, Any]:
        return self.json if isinstance(self.json, dict) else {}

    @property
    def content(self) -> str:
        return str(self.body.get("content") or "")

    def text(self) -> str:
        """Content and embed text together: what a person reads."""
        parts = [self.content]
        for embed in self.body.get("embeds") or []:
            parts += [str(embed.get("title") or ""), str(embed.get("description") or "")]
            parts += [f"{f.get('name')}: {f.get('value')}" for f in embed.get("fields") or []]
            footer = embed.get("footer") or {}
            parts.append(str(footer.get("text") or ""))
        return "\n".join(p for p in parts if p)

    def custom_ids(self) -> list[str]:
        return [
            str(c["custom_id"])
            for row in self.body.get("components") or []
            for c in row.get("components") or []
            if "custom_id" in c
        ]

    def labels(self) -> list[str]:
        return [
            str(c.get("label") or "")
            for row in self.body.get("components") or []
            for c in row.get("components") or []
        ]


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int
    when: Callable[[Recorded], bool] | None = None


class FakeDiscord:
    """Gateway and REST in one aiohttp app on an ephemeral port."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.guilds: dict[int, dict[str, Any]] = {GUILD_ID: self._guild(GUILD_ID)}
        self.acknowledged: set[str] = set()
        self.expired_tokens: set[str] = set()
        self.attachments: dict[str, bytes] = {}
        self.skus: list[dict[str, Any]] = []
        self.entitlements: dict[str, dict[str, Any]] = {}  # id → entitlement (deleted ones too)
        self._failures: list[Failure] = []
        self._ids = itertools.count(1_000_000_000_000_000_000)
        self._sockets: dict[int, web.WebSocketResponse] = {}
        self._history: dict[int, list[dict[str, Any]]] = {}
        self._seq: dict[int, int] = {}
        self._shards: dict[int, int] = {}
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()
        self.port = 0

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=200 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{name}", self._attachment)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server: Any = site._server
        self.port = int(server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        for ws in list(self._sockets.values()):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def rest_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def next_id(self) -> int:
        return next(self._ids)

    # ---------------------------------------------------------------- test controls

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        *,
        body: dict[str, Any] | None = None,
        retry_after: float | None = None,
        times: int = 1,
        when: Callable[[Recorded], bool] | None = None,
    ) -> None:
        """Answer the next ``times`` requests matching ``method``, ``path`` (a regex) and ``when``
        (e.g. only uploads) with an error."""
        headers = dict(JSON)
        if status == 429:
            headers |= {"Via": "1.1 google", "X-RateLimit-Scope": "user"}
            body = body or {"message": "You are being rate limited.", "global": False}
            body["retry_after"] = retry_after if retry_after is not None else 0.2
        elif status == 403:
            body = body or {"message": "Missing Permissions", "code": 50013}
        self._failures.append(
            Failure(method, re.compile(path), status, body or {"message": "error"}, headers, times,
                    when)
        )

    def expire(self, token: str) -> None:
        """The interaction token is past its 15 minutes: webhook routes answer 401."""
        self.expired_tokens.add(token)

    async def remove_guild(self, guild_id: int = GUILD_ID) -> None:
        """The bot was kicked: GUILD_DELETE, and its channels answer 403/404 from now on."""
        self.guilds.pop(guild_id, None)
        await self.dispatch("GUILD_DELETE", {"id": str(guild_id)}, guild_id=guild_id)

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the gateway socket(s) abruptly; the client should RESUME."""
        for ws in list(self._sockets.values()):
            await ws.close(code=code)
        self._sockets.clear()

    async def send_reconnect(self) -> None:
        for ws in list(self._sockets.values()):
            await ws.send_json({"op": 7, "d": None})

    def find(self, method: str, pattern: str) -> list[Recorded]:
        regex = re.compile(pattern)
        return [r for r in self.requests if r.method == method and regex.search(r.path)]

    async def wait_for(
        self, predicate: Callable[[FakeDiscord], Any], timeout: float = 10.0
    ) -> Any:
        """Wait until ``predicate(self)`` is truthy; returns its value."""

        async def waiting() -> Any:
            async with self._changed:
                while not (value := predicate(self)):
                    await self._changed.wait()
                return value

        return await asyncio.wait_for(waiting(), timeout)

    async def wait_request(self, method: str, pattern: str, count: int = 1,
                           timeout: float = 10.0) -> list[Recorded]:
        return await self.wait_for(  # type: ignore[no-any-return]
            lambda f: (found := f.find(method, pattern)) and len(found) >= count and found,
            timeout,
        )

    async def _changed_now(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ---------------------------------------------------------------- gateway

    async def dispatch(self, event: str, data: dict[str, Any], *, guild_id: int = GUILD_ID) -> None:
        """Send a DISPATCH to the shard owning ``guild_id``; kept for replay after RESUME."""
        shard = self._shard_of(guild_id)
        self._seq[shard] = self._seq.get(shard, 0) + 1
        frame = {"op": 0, "t": event, "s": self._seq[shard], "d": data}
        self._history.setdefault(shard, []).append(frame)
        ws = self._sockets.get(shard)
        if ws is not None and not ws.closed:
            await ws.send_str(json.dumps(frame))

    def _shard_of(self, guild_id: int) -> int:
        count = max(self._shards.values(), default=1)
        return (guild_id >> 22) % count if count > 1 else 0

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        shard = 0
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                break
            frame = json.loads(message.data)
            op, data = frame.get("op"), frame.get("d") or {}
            if op == 1:
                await ws.send_json({"op": 11, "d": None})
            elif op == 2:
                shard, count = (data.get("shard") or [0, 1])
                self._shards[shard] = count
                self.identifies.append(data)
                self._sockets[shard] = ws
                self._seq[shard] = 0
                self._history[shard] = []
                await self._ready(shard, count)
            elif op == 6:
                self.resumes.append(data)
                self._sockets[shard] = ws
                seq = int(data.get("seq") or 0)
                for old in self._history.get(shard, []):
                    if old["s"] > seq:
                        await ws.send_str(json.dumps(old))
                self._seq[shard] = self._seq.get(shard, 0) + 1
                await ws.send_json({"op": 0, "t": "RESUMED", "s": self._seq[shard], "d": {}})
            await self._changed_now()
        return ws

    async def _ready(self, shard: int, count: int) -> None:
        mine = [g for g in self.guilds if count == 1 or (g >> 22) % count == shard]
        ready = {
            "v": 10,
            "user": self._bot_user(),
            "guilds": [{"id": str(g), "unavailable": True} for g in mine],
            "session_id": f"session-{shard}-{self.next_id()}",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0},
            "shard": [shard, count],
        }
        await self._send_dispatch(shard, "READY", ready)
        for guild_id in mine:
            await self._send_dispatch(shard, "GUILD_CREATE", self.guilds[guild_id])

    async def _send_dispatch(self, shard: int, event: str, data: dict[str, Any]) -> None:
        self._seq[shard] = self._seq.get(shard, 0) + 1
        frame = {"op": 0, "t": event, "s": self._seq[shard], "d": data}
        self._history.setdefault(shard, []).append(frame)
        await self._sockets[shard].send_str(json.dumps(frame))

    # ---------------------------------------------------------------- monetization

    def add_sku(self, sku_id: int, name: str, *, guild: bool = False) -> dict[str, Any]:
        """An SKU as Discord lists it (type 5 SUBSCRIPTION; flags: guild or user subscription)."""
        sku = {"id": str(sku_id), "type": 5, "application_id": str(APP_ID), "name": name,
               "slug": name.lower().replace(" ", "-"), "flags": (1 << 7) if guild else (1 << 8)}
        self.skus.append(sku)
        return sku

    def entitlement(self, sku_id: int, *, user_id: int | None = None, guild_id: int | None = None,
                    starts_at: str | None = None, ends_at: str | None = None) -> dict[str, Any]:
        """An APPLICATION_SUBSCRIPTION entitlement (type 8), not yet sent."""
        ent: dict[str, Any] = {
            "id": str(self.next_id()), "sku_id": str(sku_id), "application_id": str(APP_ID),
            "type": 8, "deleted": False, "starts_at": starts_at, "ends_at": ends_at,
            "consumed": False,
        }
        if user_id is not None:
            ent["user_id"] = str(user_id)
        if guild_id is not None:
            ent["guild_id"] = str(guild_id)
        return ent

    async def send_entitlement(self, event: str, ent: dict[str, Any]) -> None:
        """ENTITLEMENT_CREATE / _UPDATE / _DELETE; the state interactions carry follows it."""
        if event == "ENTITLEMENT_DELETE":
            ent = dict(ent, deleted=True)
        self.entitlements[ent["id"]] = ent
        await self.dispatch(event, ent)

    def entitlements_of(self, user_id: int, guild_id: int) -> list[dict[str, Any]]:
        """What ``Interaction.entitlements`` holds: the user's and the server's live ones."""
        return [e for e in self.entitlements.values() if not e["deleted"] and (
            e.get("user_id") == str(user_id) or e.get("guild_id") == str(guild_id))]

    # ---------------------------------------------------------------- interactions

    def member(self, user_id: int, name: str, *, permissions: int = 0,
               roles: tuple[int, ...] = ()) -> dict[str, Any]:
        return {
            "user": {"id": str(user_id), "username": name, "discriminator": "0",
                     "global_name": name, "avatar": None},
            "roles": [str(r) for r in roles],
            "permissions": str(permissions | SEND_MESSAGES),
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
        }

    async def interact(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user_id: int = 42,
        user_name: str = "alice",
        permissions: int = 0,
        roles: tuple[int, ...] = (),
        channel_id: int = CHANNEL_ID,
        guild_id: int = GUILD_ID,
        app_permissions: int = BOT_PERMISSIONS,
        upload_limit: int = DEFAULT_UPLOAD_LIMIT,
        message: dict[str, Any] | None = None,
        interaction_id: int | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        """Push one INTERACTION_CREATE (type 2 command, 3 component, 4 autocomplete, 5 modal)."""
        ident = interaction_id or self.next_id()
        payload: dict[str, Any] = {
            "id": str(ident),
            "application_id": str(APP_ID),
            "type": kind,
            "data": data,
            "guild_id": str(guild_id),
            "channel_id": str(channel_id),
            "channel": self._channel(channel_id, guild_id),
            "member": self.member(user_id, user_name, permissions=permissions, roles=roles),
            "token": token or f"itoken-{ident}",
            "version": 1,
            "app_permissions": str(app_permissions),
            "locale": "en-US",
            "guild_locale": "en-US",
            "attachment_size_limit": upload_limit,
            "entitlements": self.entitlements_of(user_id, guild_id),
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,
        }
        if message is not None:
            payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload, guild_id=guild_id)
        return payload

    async def slash(self, name: str, options: list[dict[str, Any]] | None = None,
                    *, resolved: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"id": str(self.next_id()), "name": name, "type": 1,
                                "options": options or []}
        if resolved:
            data["resolved"] = resolved
        return await self.interact(2, data, **kwargs)

    async def autocomplete(self, name: str, options: list[dict[str, Any]],
                           **kwargs: Any) -> dict[str, Any]:
        data = {"id": str(self.next_id()), "name": name, "type": 1, "options": options}
        return await self.interact(4, data, **kwargs)

    async def click(self, custom_id: str, on: Recorded | None = None,
                    **kwargs: Any) -> dict[str, Any]:
        """Press a button of a message the bot sent (``on``), or of a one-button message."""
        components = (on.json.get("components") if on is not None else None) or [
            {"type": 1, "components": [{"type": 2, "style": 2, "label": "button",
                                        "custom_id": custom_id}]}
        ]
        message = self.message_payload(self.next_id(), kwargs.get("channel_id", CHANNEL_ID),
                                       {"content": on.content if on else "",
                                        "components": components,
                                        "flags": (on.json.get("flags") or 0) if on else 0})
        data = {"custom_id": custom_id, "component_type": 2}
        return await self.interact(3, data, message=message, **kwargs)

    async def submit_modal(self, custom_id: str, values: dict[str, str],
                           **kwargs: Any) -> dict[str, Any]:
        rows = [{"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
                for k, v in values.items()]
        return await self.interact(5, {"custom_id": custom_id, "components": rows}, **kwargs)

    def add_attachment(self, name: str, content: bytes, content_type: str | None,
                       size: int | None = None) -> dict[str, Any]:
        """An uploaded file users attach to a command; ``size`` may claim more than is served."""
        ident = str(self.next_id())
        self.attachments[name] = content
        url = f"http://127.0.0.1:{self.port}/attachments/{name}"
        out: dict[str, Any] = {"id": ident, "filename": name, "size": size or len(content),
                               "url": url, "proxy_url": url}
        if content_type:
            out["content_type"] = content_type
        return out

    async def _attachment(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.requests.append(Recorded("GET", f"/attachments/{name}", {}))
        if name not in self.attachments:
            return web.Response(status=404)
        return web.Response(body=self.attachments[name])

    # ---------------------------------------------------------------- REST

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await self._read_body(request)
        record = Recorded(request.method, path, body, files)
        self.requests.append(record)
        try:
            for failure in self._failures:
                if (failure.times > 0 and failure.method == request.method
                        and failure.pattern.search(path)
                        and (failure.when is None or failure.when(record))):
                    failure.times -= 1
                    record.status = failure.status
                    return web.Response(status=failure.status, body=json.dumps(failure.body).encode(),
                                        headers=failure.headers)
            status, answer = self._route(request.method, path, body, files)
            record.status = status
            if status == 204:
                return web.Response(status=204)
            return web.Response(status=status, body=json.dumps(answer).encode(), headers=JSON)
        finally:
            await self._changed_now()

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, dict[str, tuple[str, bytes]]]:
        files: dict[str, tuple[str, bytes]] = {}
        if request.content_type.startswith("multipart/"):
            body: dict[str, Any] = {}
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                data = await part.read()
                if part.name == "payload_json":
                    body = json.loads(data)
                elif part.name:
                    files[part.name] = (part.filename or "", bytes(data))
            return body, files
        raw = await request.read()
        if not raw:
            return {}, files
        return json.loads(raw), files

    def _route(self, method: str, path: str, body: Any,
               files: dict[str, tuple[str, bytes]]) -> tuple[int, Any]:
        if path == "/users/@me" and method == "GET":
            return 200, self._bot_user()
        if path == "/oauth2/applications/@me":
            return 200, self._application()
        if path == "/gateway/bot":
            return 200, {"url": self.gateway_url, "shards": 1,
                         "session_start_limit": {"total": 1000, "remaining": 1000,
                                                 "reset_after": 0, "max_concurrency": 1}}
        if re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", path) and method == "PUT":
            return 200, [dict(c, id=str(self.next_id()), application_id=str(APP_ID), version="1")
                         for c in body if isinstance(c, dict)] if isinstance(body, list) else []
        if re.fullmatch(r"/applications/\d+/skus", path) and method == "GET":
            return 200, self.skus
        if m := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            return self._callback(m.group(1), m.group(2), body, files)
        if m := re.fullmatch(r"/webhooks/\d+/([^/]+)(/messages/(@original|\d+))?", path):
            token = m.group(1)
            if token in self.expired_tokens:
                return 401, {"message": "Invalid Webhook Token", "code": 50027}
            return 200, self.message_payload(self.next_id(), CHANNEL_ID, body, files)
        if m := re.fullmatch(r"/channels/(\d+)/messages(/\d+)?", path):
            channel = int(m.group(1))
            if not self._channel_exists(channel):
                return 404, {"message": "Unknown Channel", "code": 10003}
            if method == "DELETE":
                return 204, None
            return 200, self.message_payload(self.next_id(), channel, body, files)
        if m := re.fullmatch(r"/channels/(\d+)", path):
            channel = int(m.group(1))
            if not self._channel_exists(channel):
                return 404, {"message": "Unknown Channel", "code": 10003}
            return 200, self._channel(channel, GUILD_ID)
        if m := re.fullmatch(r"/users/(\d+)", path):
            return 200, {"id": m.group(1), "username": f"user{m.group(1)}", "discriminator": "0",
                         "avatar": None, "global_name": None}
        if path == "/users/@me/channels":
            recipient = str(body.get("recipient_id"))
            return 200, {"id": str(930_000_000_000_000_000 + int(recipient) % 1_000_000), "type": 1,
                         "recipients": [{"id": recipient, "username": "user", "discriminator": "0",
                                         "avatar": None}], "last_message_id": None}
        return 404, {"message": f"fake Discord has no route {method} {path}", "code": 0}

    def _callback(self, ident: str, token: str, body: dict[str, Any],
                  files: dict[str, tuple[str, bytes]]) -> tuple[int, Any]:
        if token in self.expired_tokens:
            return 404, {"message": "Unknown interaction", "code": 10062}
        if ident in self.acknowledged:
            return 400, {"message": "Interaction has already been acknowledged.", "code": 40060}
        self.acknowledged.add(ident)
        kind = int(body.get("type", 0))
        data = body.get("data") or {}
        message_id = self.next_id()
        resource: dict[str, Any] = {"type": kind}
        if kind in (4, 5, 7):
            resource["message"] = self.message_payload(message_id, CHANNEL_ID, data, files)
        return 200, {
            "interaction": {
                "id": ident,
                "type": 2,
                "response_message_id": str(message_id),
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(int(data.get("flags", 0)) & 64),
            },
            "resource": resource,
        }

    # ---------------------------------------------------------------- payloads

    def _channel_exists(self, channel_id: int) -> bool:
        if channel_id >= 930_000_000_000_000_000:  # DM channels
            return True
        return any(
            str(channel_id) == c["id"] for g in self.guilds.values() for c in g["channels"]
        )

    def message_payload(self, ident: int, channel_id: int, body: dict[str, Any],
                        files: dict[str, tuple[str, bytes]] | None = None) -> dict[str, Any]:
        attachments = [
            {"id": str(self.next_id()), "filename": name, "size": len(data),
             "url": f"http://127.0.0.1:{self.port}/attachments/{name}",
             "proxy_url": f"http://127.0.0.1:{self.port}/attachments/{name}"}
            for name, data in (files or {}).values()
        ]
        return {
            "id": str(ident),
            "channel_id": str(channel_id),
            "author": self._bot_user(),
            "content": body.get("content") or "",
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": body.get("embeds") or [],
            "pinned": False,
            "type": 0,
            "flags": int(body.get("flags") or 0),
            "components": body.get("components") or [],
        }

    @staticmethod
    def _bot_user() -> dict[str, Any]:
        return {"id": str(BOT_ID), "username": "Refrain", "discriminator": "0", "avatar": None,
                "bot": True, "global_name": "Refrain", "flags": 0}

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(APP_ID), "name": "Refrain", "description": "", "icon": None,
            "bot_public": True, "bot_require_code_grant": False, "verify_key": "0" * 64,
            "owner": {"id": "1", "username": "owner", "discriminator": "0", "avatar": None},
            "flags": 0,
        }

    @staticmethod
    def _channel(channel_id: int, guild_id: int) -> dict[str, Any]:
        return {"id": str(channel_id), "type": 0, "guild_id": str(guild_id),
                "name": "covers" if channel_id == CHANNEL_ID else f"channel-{channel_id % 1000}",
                "position": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None,
                "topic": None, "last_message_id": None, "rate_limit_per_user": 0}

    def _guild(self, guild_id: int) -> dict[str, Any]:
        return {
            "id": str(guild_id),
            "name": "Test Server",
            "owner_id": "1",
            "roles": [{"id": str(guild_id), "name": "@everyone", "permissions": str(BOT_PERMISSIONS),
                       "position": 0, "color": 0, "hoist": False, "managed": False,
                       "mentionable": False}],
            "channels": [self._channel(CHANNEL_ID, guild_id),
                         self._channel(OTHER_CHANNEL_ID, guild_id)],
            "members": [],
            "member_count": 3,
            "premium_tier": 0,
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "voice_states": [],
            "presences": [],
            "large": False,
            "unavailable": False,
            "joined_at": "2026-01-01T00:00:00+00:00",
        }
