"""``GET /c/<delivery>.<fmt>?exp=…&sig=…``: a delivery's file, for a signed link that has not expired.

The URL never names a path: it names a delivery, and the file is that
delivery's blob (``blobs.path_of(sha256)``), so there is nothing to traverse
and nothing to list. Ranges, ``ETag`` and conditional requests are aiohttp's
``FileResponse`` (sendfile: the bytes go from the page cache to the socket), on a
file the handler opens itself (``web.blobfile``: no thread-pool hops).
"""

from __future__ import annotations

import logging
import re

from aiohttp import web

from core.links import CLIP_FORMATS, LinkCheck
from web.blobfile import BlobFileResponse, open_blob
from web.pages import mime_type
from web.responses import message, not_found
from web.state import STATE

log = logging.getLogger(__name__)

_NAME = re.compile(r"([A-Za-z0-9-]{1,64})\.([a-z0-9]{2,5})")


async def clip_handler(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    matched = _NAME.fullmatch(request.match_info["name"])
    if matched is None or matched.group(2) not in CLIP_FORMATS:
        return not_found(state)
    delivery_id, fmt = matched.groups()
    exp, sig = request.query.get("exp", ""), request.query.get("sig", "")
    now = state.clock.now()
    if not exp or not sig:
        return message(
            state, 403, "This link is incomplete",
            "Clip links are signed. Open the clip's share page to get a working one.",
        )
    checked = state.signer.check(delivery_id, fmt, exp, sig, now)
    if checked is LinkCheck.BAD:
        return message(
            state, 403, "This link isn't valid",
            "It was changed or cut short. Open the clip's share page to get a working one.",
        )
    if checked is LinkCheck.EXPIRED:
        return message(
            state, 403, "This link has expired",
            "Clip links work for a limited time. Open the clip's share page again for a fresh one.",
        )
    shared = await state.shared.by_delivery_id(delivery_id)
    if shared is None or shared.delivery.fmt != fmt:
        return not_found(state)
    if shared.gone is not None:
        return message(state, 410, "This clip is no longer available", shared.gone)
    opened = open_blob(shared.path)
    if opened is None:
        log.error("delivery %s: its file %s is missing from the blob store",
                  delivery_id, shared.delivery.sha256)
        return not_found(state)
    max_age = max(0, min(3600, int(exp) - int(now.timestamp())))
    return BlobFileResponse(
        *opened,
        shared.path,
        headers={
            "Content-Type": mime_type(fmt),
            "Cache-Control": f"private, max-age={max_age}",
            "Content-Disposition": f'inline; filename="refrain-{delivery_id}.{fmt}"',
        },
    )
