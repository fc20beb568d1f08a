"""Plays per day as a server-rendered SVG: stacked bars per usage, no script, no inline CSS.

Colours are SVG presentation attributes (not ``style``), so the studio's CSP
(``style-src 'self'``) needs no exception. The same numbers are on the page
as a table for screen readers.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from core.model import UsageType
from core.studio import Dashboard

WIDTH, HEIGHT, PAD, AXIS = 640, 220, 8, 28
COLOURS = {UsageType.DELIVERY: "#5b3cc4", UsageType.STREAM: "#e0913a"}
WORDS = {UsageType.DELIVERY: "deliveries", UsageType.STREAM: "streams"}


def plays_chart(board: Dashboard) -> str:
    totals = [sum(s.counts[i] for s in board.series) for i in range(board.days)]
    peak = max([*totals, 1])
    plot_h = HEIGHT - AXIS - PAD
    step = (WIDTH - 2 * PAD) / board.days
    bar = max(1.0, step * 0.8)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="chart-title chart-desc" class="chart">',
        '<title id="chart-title">Plays per day</title>',
        f'<desc id="chart-desc">{escape(_describe(board))}</desc>',
        f'<line x1="{PAD}" y1="{PAD + plot_h}" x2="{WIDTH - PAD}" y2="{PAD + plot_h}" stroke="#888"/>',
    ]
    for index in range(board.days):
        x = PAD + index * step + (step - bar) / 2
        base: float = PAD + plot_h
        for series in board.series:
            count = series.counts[index]
            if not count:
                continue
            height = plot_h * count / peak
            base -= height
            label = f"{count} {WORDS[series.usage]}"
            parts.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                         f'fill="{COLOURS[series.usage]}"><title>{label}</title></rect>')
    first, last = board.first_day, board.first_day + timedelta(days=board.days - 1)
    parts.append(f'<text x="{PAD}" y="{HEIGHT - 8}" font-size="12" fill="#888">{first:%d %b}</text>')
    parts.append(f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" font-size="12" fill="#888" '
                 f'text-anchor="end">{last:%d %b}</text>')
    parts.append(f'<text x="{PAD}" y="{PAD + 12}" font-size="12" fill="#888">{peak} a day</text>')
    parts.append("</svg>")
    return "".join(parts)


def _describe(board: Dashboard) -> str:
    counts = ", ".join(f"{s.total} {WORDS[s.usage]}" for s in board.series)
    return f"{board.days} days from {board.first_day:%d %B %Y}: {counts}."
