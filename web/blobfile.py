"""A ``FileResponse`` over a blob file the handler already opened: no thread-pool hops per request.

aiohttp's ``FileResponse`` stats and opens the file in the default executor
and closes it there too (two thread hand-offs per response, about 0.2 ms each
on a busy small machine, more than the rest of the request's Python).
Delivered clips live in the local, content-addressed blob store: the open and
``fstat`` take microseconds, so the handler does them inline, and a missing
file becomes the handler's own 404 page instead of a bare status.

Ranges (206/416), ``ETag`` and the conditional headers follow aiohttp's own
rules (the range and header code is ``FileResponse._prepare_open_file``,
reused as is); the bytes still go out with ``sendfile``.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

from aiohttp import web
from aiohttp.abc import AbstractStreamWriter
from aiohttp.helpers import ETag
from aiohttp.web_request import BaseRequest


def open_blob(path: Path) -> tuple[io.BufferedReader, os.stat_result] | None:
    """The open file and its ``fstat``, or ``None`` when it is missing or not a regular file."""
    try:
        fobj = path.open("rb")
    except OSError:
        return None
    st = os.fstat(fobj.fileno())
    if not stat.S_ISREG(st.st_mode):  # a directory or a device where a blob should be
        fobj.close()
        return None
    return fobj, st


class BlobFileResponse(web.FileResponse):
    """Serves an already open regular file; closes it once answered (or when dropped)."""

    def __init__(
        self, fobj: io.BufferedReader, st: os.stat_result, path: Path, *, headers: dict[str, str]
    ) -> None:
        super().__init__(path, headers=headers)
        self._fobj = fobj
        self._st = st

    async def prepare(self, request: BaseRequest) -> AbstractStreamWriter | None:
        fobj, st = self._fobj, self._st
        try:
            etag = f"{st.st_mtime_ns:x}-{st.st_size:x}"
            if (if_match := request.if_match) is not None and not _matches(etag, if_match, weak=False):
                return await self._precondition_failed(request)
            unmodified_since = request.if_unmodified_since
            if if_match is None and unmodified_since is not None \
                    and st.st_mtime > unmodified_since.timestamp():
                return await self._precondition_failed(request)
            if (if_none_match := request.if_none_match) is not None:
                if _matches(etag, if_none_match, weak=True):
                    return await self._not_modified(request, etag, st.st_mtime)
            elif (modified_since := request.if_modified_since) is not None \
                    and st.st_mtime <= modified_since.timestamp():
                return await self._not_modified(request, etag, st.st_mtime)
            return await self._prepare_open_file(request, fobj, st, None)
        finally:
            fobj.close()


def _matches(etag: str, etags: tuple[ETag, ...], *, weak: bool) -> bool:
    if len(etags) == 1 and etags[0].value == "*":
        return True
    return any(tag.value == etag for tag in etags if weak or not tag.is_weak)
