"""The dashboard's chart of daily donations, drawn on the server as inline SVG.

No script and nothing from a CDN: bars of the number of donations per day, stacked by
currency (amounts in different currencies do not add up), each bar titled with the
day's count and formatted amounts so hovering shows them.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.currency.money import format_money

from .dashboard import DayTotal

WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 12, 46
# Colour-blind-safe (Okabe-Ito); a currency keeps its colour across days.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... at or above `value` (the y axis top)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _e(text: object) -> str:
    return str(escape(str(text)))


def daily_donations_svg(days: list[DayTotal]) -> SafeString:
    currencies = sorted({code for day in days for code in day.by_currency})
    colour = {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(currencies)}
    top = _nice_ceiling(max([day.count for day in days] + [1]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(days), 1)
    bar_w = max(slot * 0.7, 1)
    total = sum(day.count for day in days)
    first, last = (days[0].day, days[-1].day) if days else (None, None)
    label = (
        f"Donations per day, {first:%d %b} to {last:%d %b}: {total} in all"
        if first and last
        else "Donations per day"
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="console-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'aria-label="{_e(label)}" data-total="{total}">',
        f"<title>{_e(label)}</title>",
    ]
    # Horizontal grid lines and y labels at 0, half and top.
    for value in sorted({0, top // 2, top}):
        y = TOP + plot_h - plot_h * value / top
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="#ccc" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#555">{value}</text>'
        )
    for i, day in enumerate(days):
        x = LEFT + i * slot + (slot - bar_w) / 2
        amounts = ", ".join(
            format_money(day.by_currency[code].amount, code)
            for code in currencies
            if code in day.by_currency
        )
        tip = f"{day.day:%a %d %b %Y}: {day.count} donation{'s' if day.count != 1 else ''}"
        if amounts:
            tip += f" ({amounts})"
        parts.append(
            f'<g class="bar" data-day="{day.day.isoformat()}" data-count="{day.count}">'
            f"<title>{_e(tip)}</title>"
        )
        y = TOP + plot_h
        for code in currencies:
            if code not in day.by_currency:
                continue
            h = plot_h * day.by_currency[code].count / top
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colour[code]}"/>'
            )
        if not day.count:  # a sliver, so an empty day can still be hovered
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - 1}" width="{bar_w:.1f}" height="1" '
                f'fill="#ddd"/>'
            )
        parts.append("</g>")
        if i % 5 == 0 or i == len(days) - 1:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
                f'font-size="11" fill="#555">{day.day:%d %b}</text>'
            )
    # Legend: one swatch per currency.
    x = LEFT
    for code in currencies:
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 16}" width="10" height="10" fill="{colour[code]}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 7}" font-size="11" fill="#333">{_e(code)}</text>'
        )
        x += 60
    if not currencies:
        parts.append(
            f'<text x="{LEFT}" y="{HEIGHT - 7}" font-size="11" fill="#555">'
            "No donations in these days yet.</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
