"""A party's statement for a period: per recording (with its work), plays and money per right.

Built only from the ledger legs of the party (allocations and reversals of
the period, netted) and the usage counts of the period's active run, so a
statement always agrees with the ledger. Lines are sorted and no clock time
appears anywhere: the same ledger gives byte-identical statements
(ROYALTIES.md invariant 3). Lines whose ``played_period`` differs from the
statement's period are late adjustments (usage that arrived after its
period was closed).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.model import RightType
from core.royalties.ledger import PARTY_ACCOUNT, Leg
from core.royalties.money import format_micros
from core.royalties.types import PoolBasis

RIGHT_ORDER = (
    RightType.PERF,
    RightType.MECH,
    RightType.MASTER,
    RightType.LIKENESS,
    RightType.REMIXER,
)


@dataclass(frozen=True)
class RecordingInfo:
    recording_id: str
    isrc: str
    iswc: str
    title: str
    artist: str


@dataclass(frozen=True)
class Usage:
    plays: int
    qualified: int


UsageBook = Mapping[tuple[str, str, str], Usage]
"""(recording id, territory, played period) → plays and qualified plays of the period."""


@dataclass(frozen=True)
class StatementLine:
    recording_id: str
    isrc: str
    iswc: str
    title: str
    territory: str  # "" when the line sums every territory
    played_period: str
    plays: int
    qualified: int
    amounts: tuple[int, ...]  # in RIGHT_ORDER

    @property
    def total(self) -> int:
        return sum(self.amounts)


@dataclass(frozen=True)
class Statement:
    party_id: str
    party_name: str
    ipi: str | None
    period: str
    currency: str
    run_id: str | None
    lines: tuple[StatementLine, ...]
    basis: PoolBasis | None = None  # the run's pool came from revenue: how

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)

    def total_for(self, right: RightType) -> int:
        index = RIGHT_ORDER.index(right)
        return sum(line.amounts[index] for line in self.lines)


def build_statement(
    *,
    party_id: str,
    party_name: str,
    ipi: str | None,
    period: str,
    currency: str,
    run_id: str | None,
    legs: Iterable[Leg],
    recordings: Mapping[str, RecordingInfo],
    usage: UsageBook,
    by_territory: bool = False,
    basis: PoolBasis | None = None,
) -> Statement:
    """Net the party's legs per recording (and territory) and attach the usage counts."""
    money: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0] * len(RIGHT_ORDER))
    territories: dict[tuple[str, str], set[str]] = defaultdict(set)
    for leg in legs:
        if leg.account != PARTY_ACCOUNT or leg.party_id != party_id or leg.right is None:
            continue
        recording = leg.recording_id or ""
        territory = leg.territory or ""
        played = leg.played_period or period
        key = (recording, territory if by_territory else "", played)
        money[key][RIGHT_ORDER.index(leg.right)] += leg.amount
        territories[(recording, played)].add(territory)
    lines = []
    for (recording, territory, played), amounts in money.items():
        if not any(amounts):
            continue  # an allocation and its reversal: nothing owed
        wanted = {territory} if by_territory else territories[(recording, played)]
        plays = qualified = 0
        for where in wanted:
            counted = usage.get((recording, where, played))
            if counted is not None:
                plays += counted.plays
                qualified += counted.qualified
        info = recordings.get(recording)
        lines.append(
            StatementLine(
                recording,
                info.isrc if info else "",
                info.iswc if info else "",
                info.title if info else "(no recording)",
                territory,
                played,
                plays,
                qualified,
                tuple(amounts),
            )
        )
    lines.sort(key=lambda x: (x.played_period != period, x.played_period, x.isrc,
                              x.recording_id, x.territory))
    return Statement(party_id, party_name, ipi, period, currency, run_id, tuple(lines), basis)


def _money(value: int) -> str:
    return format_micros(value)


def render_basis(basis: PoolBasis) -> str:
    """The pool's basis as a few lines of text: per currency, then the share and the pool."""
    rows = [f"pool basis for {basis.period} (recognized revenue, {basis.currency}):"]
    for line in basis.lines:
        rows.append(
            f"  {line.currency}: gross {format_micros(line.gross)}, fees {format_micros(line.fees)}, "
            f"net {format_micros(line.net)} × {line.rate} = "
            f"{format_micros(line.net_converted, basis.currency)}"
        )
    rows.append(f"  net {format_micros(basis.net, basis.currency)} × share {basis.share} "
                f"= pool {format_micros(basis.pool, basis.currency)}")
    return "\n".join(rows)


def basis_data(basis: PoolBasis) -> dict[str, object]:
    """The basis as plain JSON-ready data (amounts as text and as micro-units)."""
    return {
        "period": basis.period,
        "currency": basis.currency,
        "lines": [
            {"currency": line.currency, "gross": _money(line.gross), "fees": _money(line.fees),
             "net": _money(line.net), "rate": line.rate,
             "net_converted": _money(line.net_converted),
             "net_converted_micros": line.net_converted}
            for line in basis.lines
        ],
        "net": _money(basis.net),
        "net_micros": basis.net,
        "share": basis.share,
        "pool": _money(basis.pool),
        "pool_micros": basis.pool,
    }


def render_csv(statement: Statement) -> str:
    out = io.StringIO()
    if statement.basis is not None:  # above the lines, as comments a CSV reader can skip
        for text in render_basis(statement.basis).splitlines():
            out.write(f"# {text.strip()}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "period", "party_id", "recording_id", "isrc", "iswc", "title", "played_period",
            "late", "plays", "qualified_plays", *(r.value for r in RIGHT_ORDER), "total",
            "currency",
        ]
    )
    for line in statement.lines:
        writer.writerow(
            [
                statement.period, statement.party_id, line.recording_id, line.isrc, line.iswc,
                line.title, line.played_period, "yes" if line.played_period != statement.period
                else "no", line.plays, line.qualified, *(_money(a) for a in line.amounts),
                _money(line.total), statement.currency,
            ]
        )
    writer.writerow(
        [
            statement.period, statement.party_id, "TOTAL", "", "", "", "", "",
            sum(x.plays for x in statement.lines), sum(x.qualified for x in statement.lines),
            *(_money(statement.total_for(r)) for r in RIGHT_ORDER), _money(statement.total),
            statement.currency,
        ]
    )
    return out.getvalue()


def render_json(statement: Statement) -> str:
    data: dict[str, object] = {
        "party": {"id": statement.party_id, "name": statement.party_name, "ipi": statement.ipi},
        "period": statement.period,
        "currency": statement.currency,
        "run_id": statement.run_id,
        "lines": [
            {
                "recording_id": line.recording_id,
                "isrc": line.isrc,
                "iswc": line.iswc,
                "title": line.title,
                "played_period": line.played_period,
                "late": line.played_period != statement.period,
                "plays": line.plays,
                "qualified_plays": line.qualified,
                "amounts": {r.value: _money(a) for r, a in zip(RIGHT_ORDER, line.amounts,
                                                                 strict=True)},
                "amounts_micros": {
                    r.value: a for r, a in zip(RIGHT_ORDER, line.amounts, strict=True)
                },
                "total": _money(line.total),
            }
            for line in statement.lines
        ],
        "totals": {r.value: _money(statement.total_for(r)) for r in RIGHT_ORDER},
        "total": _money(statement.total),
        "total_micros": statement.total,
    }
    if statement.basis is not None:
        data["basis"] = basis_data(statement.basis)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
