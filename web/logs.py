"""Structured logs: one JSON object per line, for the web server and its access log.

The access log records the path without its query string (a clip link's
signature is a bearer credential for a while) and never a cookie or a
listener id; the client address is what the trusted-proxy rules resolved.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

ACCESS_LOGGER = "web.access"
CLIENT_IP = web.RequestKey("refrain_client_ip", str)  # set by the middleware

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "msg", ...extra}`` per record."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def json_handler() -> logging.Handler:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    return handler


class JsonAccessLogger(AbstractAccessLogger):
    """aiohttp access logger writing structured fields instead of a format string."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        client = request.get(CLIENT_IP, request.remote)
        self.logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status,
            extra={
                "method": request.method,
                "path": request.path[:300],
                "status": response.status,
                "bytes": response.body_length,
                "ms": round(time * 1000, 2),
                "client": client,
                "ua": request.headers.get("User-Agent", "")[:200],
            },
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)
