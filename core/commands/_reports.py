"""The report queue's grammar: ``report``, ``reports`` and ``resolve``.

``report <clip> [reason]`` is for everyone: a clip is named by whatever id
the reporter has at hand (the clip's, the copy's or the request's, which
``status`` shows), and the use case finds which. The reason is free text and
may be quoted or not; Discord's ``clip:`` and ``reason:`` option names are
accepted in front of the values, as for the other verbs. ``reports [n]`` and
``resolve <report> [note]`` are the moderators' side.
"""

from __future__ import annotations

import re

from core.commands._commands import (
    DEFAULT_AUDIT_LIMIT,
    MAX_AUDIT_LIMIT,
    MAX_REPORT_CHARS,
    ReportCommand,
    ReportsCommand,
    ResolveCommand,
)
from core.commands._errors import ErrorCode, ParseError
from core.commands._text import shorten
from core.commands._tokens import TokenKind, tokenize
from core.commands._values import parse_count, parse_request_id

_TARGET_KEY = re.compile(r"(?i)(?:clip|id|copy|delivery|report)\s*:\s*")
_NOTE_KEY = re.compile(r"(?i)(?:reason|why|note)\s*:\s*")
_FIRST = re.compile(r"(\S+)\s*(.*)", re.DOTALL)


def _split(arguments: str) -> tuple[str, str] | None:
    """The id and the free text after it; ``None`` when there is no id."""
    text = arguments.strip()
    if (key := _TARGET_KEY.match(text)) is not None:
        text = text[key.end() :]
    found = _FIRST.fullmatch(text)
    if found is None:
        return None
    rest = found.group(2).strip()
    if (key := _NOTE_KEY.match(rest)) is not None:
        rest = rest[key.end() :]
    return found.group(1), rest


def _free_text(rest: str) -> str | None:
    """The reason or note: one quoted value gives its content, otherwise the words as typed."""
    tokens = tokenize(rest)
    if len(tokens) == 1 and tokens[0].kind is TokenKind.QUOTED:
        text = tokens[0].text
    else:
        text = " ".join(rest.split())
    return text or None


def _too_long(what: str, example: str) -> ParseError:
    return ParseError(
        ErrorCode.TOO_LONG,
        f"Keep the {what} under {MAX_REPORT_CHARS} characters.",
        f"For example `{example}`.",
    )


def _id_and_text(
    arguments: str, *, what: str, missing: str, hint: str, text_name: str, example: str
) -> tuple[str, str | None] | ParseError:
    """``<id> [free text]`` for `report` and `resolve`: the id, then the words (bounded)."""
    split = _split(arguments)
    if split is None:
        return ParseError(ErrorCode.MISSING_ID, missing, hint)
    raw, rest = split
    target = parse_request_id(raw)
    if target is None:
        return ParseError(
            ErrorCode.BAD_ID,
            f"“{shorten(raw, 30)}” isn't a {what} id; ids look like `1a2b3c4d`.",
            hint,
        )
    text = _free_text(rest)
    if text is not None and len(text) > MAX_REPORT_CHARS:
        return _too_long(text_name, example.format(id=target))
    return target, text


def parse_report(arguments: str) -> ReportCommand | ParseError:
    parsed = _id_and_text(
        arguments,
        what="clip",
        missing="Which clip? `report` needs its id, e.g. `report 1a2b3c4d wrong artist`.",
        hint="Use the Report button under the clip, or `report <id> <what is wrong>`.",
        text_name="reason",
        example="report {id} wrong artist name",
    )
    return parsed if isinstance(parsed, ParseError) else ReportCommand(*parsed)


def parse_reports(arguments: str) -> ReportsCommand | ParseError:
    if not arguments.strip():
        return ReportsCommand(DEFAULT_AUDIT_LIMIT)
    limit = parse_count(arguments, MAX_AUDIT_LIMIT)
    if limit is None:
        return ParseError(
            ErrorCode.BAD_NUMBER,
            f"`reports` takes how many to show, 1 to {MAX_AUDIT_LIMIT} "
            f"(not “{shorten(arguments, 20)}”).",
            "For example `reports 20`.",
        )
    return ReportsCommand(limit)


def parse_resolve(arguments: str) -> ResolveCommand | ParseError:
    parsed = _id_and_text(
        arguments,
        what="report",
        missing="Which report? `resolve` needs its id, e.g. `resolve 1a2b3c4d taken down`.",
        hint="Type `reports` to see the open ones and their ids.",
        text_name="note",
        example="resolve {id} clip taken down",
    )
    return parsed if isinstance(parsed, ParseError) else ResolveCommand(*parsed)
