"""When money must be held back: opt-out intervals of a work or recording.

The declaration in force at a moment is the newest one declared before it
(undated declarations count as the oldest, in the order given). An opt-out
holds from its declaration until a later opt-in, so usage after an opt-out
accrues to ESCROW (ROYALTIES.md "opt_in"), and usage before it is paid as usual.
Voice revocations are a single instant (``VoiceModel.revoked_at``) and need
no helper.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.model import OptDeclaration


def opt_out_intervals(
    declarations: Sequence[OptDeclaration],
) -> list[tuple[datetime | None, datetime | None]]:
    """Half-open ``[start, end)`` spans during which the subject was opted out (None: unbounded)."""
    ordered = sorted(
        enumerate(declarations),
        key=lambda pair: (pair[1].declared_at is not None, pair[1].declared_at, pair[0]),
    )
    spans: list[tuple[datetime | None, datetime | None]] = []
    start: datetime | None = None
    out = False
    for _index, declaration in ordered:
        if not declaration.opted_in and not out:
            out, start = True, declaration.declared_at
        elif declaration.opted_in and out:
            out = False
            if declaration.declared_at is not None:  # an undated opt-in undoes an undated opt-out
                spans.append((start, declaration.declared_at))
    if out:
        spans.append((start, None))
    return spans


def opted_out_at(declarations: Sequence[OptDeclaration], moment: datetime) -> bool:
    return any(
        (start is None or start <= moment) and (end is None or moment < end)
        for start, end in opt_out_intervals(declarations)
    )
