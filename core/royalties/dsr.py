"""A DDEX-DSR-style flat file: tab-separated records, one file per recipient and territory.

Not certified DDEX, but complete and self-checking. Records:

``HEAD``  format, sender, recipient id and name, IPI, period, its first and
          last day, territory, currency, run id
``SY02``  summary: territory, resource lines, plays, qualified plays, total
``AS02``  one per recording (and played period): ISRC, ISWC, title, plays,
          qualified plays, amount per right type, total
``SU02``  one per right type: lines with that right, amount
``FOOT``  number of records in the file (HEAD and FOOT included), total

Amounts are decimals with six places (exact micro-units). File names follow
``DSR_<sender>_<recipient>_<period>_<territory>_<n>of<m>.tsv``.
:func:`read_total` parses a file back, so exports can be reconciled with the
ledger (ROYALTIES.md invariant 9).
"""

from __future__ import annotations

import calendar
import re
from decimal import Decimal

from core.errors import UserFacing
from core.royalties.money import MICROS, format_micros
from core.royalties.statements import RIGHT_ORDER, Statement

FORMAT = "REFRAIN-DSR-FLAT/1.0"
SENDER = "REFRAIN"
_SAFE = re.compile(r"[^A-Za-z0-9.-]+")


def _cell(value: object) -> str:
    """Tabs and line breaks would split a record: replaced by spaces."""
    return str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def dsr_filename(recipient: str, period: str, territory: str, n: int, m: int,
                 sender: str = SENDER) -> str:
    safe = _SAFE.sub("-", recipient)
    return f"DSR_{sender}_{safe}_{period.replace('-', '')}_{territory}_{n}of{m}.tsv"


def render_dsr(statement: Statement, territory: str, sender: str = SENDER) -> str:
    """The DSR of one statement; ``territory`` names the file (``WW`` for all territories)."""
    year, month = (int(x) for x in statement.period.split("-"))
    last = calendar.monthrange(year, month)[1]
    records: list[list[object]] = [
        [
            "HEAD", FORMAT, sender, statement.party_id, statement.party_name, statement.ipi or "",
            statement.period, f"{statement.period}-01", f"{statement.period}-{last:02d}",
            territory, statement.currency, statement.run_id or "",
        ],
        [
            "SY02", territory, len(statement.lines), sum(x.plays for x in statement.lines),
            sum(x.qualified for x in statement.lines), format_micros(statement.total),
        ],
    ]
    for number, line in enumerate(statement.lines, 1):
        records.append(
            [
                "AS02", number, line.recording_id, line.isrc, line.iswc, line.title,
                line.territory or territory, line.played_period, line.plays, line.qualified,
                *(format_micros(a) for a in line.amounts), format_micros(line.total),
            ]
        )
    for index, right in enumerate(RIGHT_ORDER):
        lines = sum(1 for x in statement.lines if x.amounts[index])
        records.append(["SU02", right.value, lines, format_micros(statement.total_for(right))])
    records.append(["FOOT", len(records) + 1, format_micros(statement.total)])
    return "".join("\t".join(_cell(v) for v in record) + "\n" for record in records)


class DsrError(UserFacing, ValueError):
    """A DSR file that does not add up."""


def read_total(text: str) -> int:
    """The total of a DSR file in micro-units, after checking it adds up on every level."""
    rows = [line.split("\t") for line in text.splitlines() if line]
    if not rows or rows[0][0] != "HEAD" or rows[-1][0] != "FOOT":
        raise DsrError("a DSR file starts with HEAD and ends with FOOT")
    as02 = [r for r in rows if r[0] == "AS02"]
    su02 = [r for r in rows if r[0] == "SU02"]
    sy02 = [r for r in rows if r[0] == "SY02"]

    def micros(cell: str) -> int:
        return int(Decimal(cell) * MICROS)

    lines_total = 0
    for row in as02:
        parts = [micros(c) for c in row[10 : 10 + len(RIGHT_ORDER)]]
        if sum(parts) != micros(row[10 + len(RIGHT_ORDER)]):
            raise DsrError(f"AS02 line {row[1]} does not add up")
        lines_total += sum(parts)
    if sum(micros(r[3]) for r in su02) != lines_total:
        raise DsrError("SU02 rights do not add up to the AS02 lines")
    if len(sy02) != 1 or micros(sy02[0][5]) != lines_total:
        raise DsrError("SY02 summary does not match the AS02 lines")
    foot = rows[-1]
    if int(foot[1]) != len(rows) or micros(foot[2]) != lines_total:
        raise DsrError("FOOT record count or total does not match the file")
    return lines_total
