"""The privacy officer's charts, drawn on the server as SVG: no script, no library.

Two charts over the same days: the share of choices that granted each optional category
(one line per category), and the records per method (stacked bars). Colours pass WCAG
non-text contrast (3:1) against white, and each series also differs by dash pattern, so
the chart does not rely on colour alone; a table beside it carries the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from privacy.consent.queries import DayRates

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 16, 36
COLOURS = ("#0b5cad", "#a32020", "#1d6b3a", "#6b3fa0", "#8a5300", "#1b2430")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2")


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def _y(fraction: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - fraction)


def _frame(title: str, y_labels: Sequence[tuple[float, str]], days: Sequence[DayRates]) -> list[str]:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="cc-chart" font-family="system-ui, sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
    ]
    for fraction, label in y_labels:
        y = _y(fraction)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dde3ea"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#1b2430">{escape(label)}</text>'
        )
    step = max(1, len(days) // 8)
    for index, day in enumerate(days):
        if index % step == 0 or index == len(days) - 1:
            parts.append(
                f'<text x="{_x(index, len(days)):.1f}" y="{HEIGHT - 14}" text-anchor="middle" '
                f'fill="#1b2430">{day.day:%m-%d}</text>'
            )
    return parts


def _legend(parts: list[str], labels: Sequence[str]) -> None:
    for index, label in enumerate(labels):
        y = TOP + 14 + index * 18
        colour, dash = COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)]
        parts.append(
            f'<line x1="{WIDTH - RIGHT + 12}" x2="{WIDTH - RIGHT + 36}" y1="{y - 4}" y2="{y - 4}" '
            f'stroke="{colour}" stroke-width="3" stroke-dasharray="{dash}"/>'
        )
        parts.append(f'<text x="{WIDTH - RIGHT + 42}" y="{y}" fill="#1b2430">{escape(label)}</text>')


def rate_chart(days: Sequence[DayRates], categories: Sequence[tuple[str, str]], *, title: str) -> SafeString:
    """One line per (key, label) category: the share of the day's choices that granted it."""
    parts = _frame(title, [(f / 4, f"{f * 25}%") for f in range(5)], days)
    for index, (key, _) in enumerate(categories):
        points = " ".join(
            f"{_x(i, len(days)):.1f},{_y(day.rate(key)):.1f}" for i, day in enumerate(days) if day.choices
        )
        if points:
            colour, dash = COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)]
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" stroke-dasharray="{dash}" '
                f'points="{points}" data-category="{escape(key)}"/>'
            )
    _legend(parts, [label for _, label in categories])
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label is escaped


def method_chart(days: Sequence[DayRates], methods: Sequence[tuple[str, str]], *, title: str) -> SafeString:
    """Stacked bars: the records of each day by method."""
    peak = max((day.records for day in days), default=0) or 1
    parts = _frame(title, [(f / 4, str(round(peak * f / 4))) for f in range(5)], days)
    bar = max(2.0, (WIDTH - LEFT - RIGHT) / max(1, len(days)) * 0.6)
    for i, day in enumerate(days):
        base = 0
        for index, (key, _) in enumerate(methods):
            count = day.by_method.get(key, 0)
            if not count:
                continue
            top, bottom = _y((base + count) / peak), _y(base / peak)
            parts.append(
                f'<rect x="{_x(i, len(days)) - bar / 2:.1f}" y="{top:.1f}" width="{bar:.1f}" '
                f'height="{bottom - top:.1f}" fill="{COLOURS[index % len(COLOURS)]}" '
                f'data-method="{escape(key)}"><title>{day.day} {escape(key)}: {count}</title></rect>'
            )
            base += count
    _legend(parts, [label for _, label in methods])
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label is escaped
