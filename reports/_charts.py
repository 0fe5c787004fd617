"""Small inline SVG charts (no library, no remote load): bars and sparklines."""

from __future__ import annotations

from html import escape

__all__ = ["bar_chart", "sparkline"]


def bar_chart(data: list[tuple[str, int]], title: str, unit: str = "") -> str:
    """Horizontal bars with their values; an empty chart says so."""
    if not data:
        return f'<p class="muted">{escape(title)}：无数据</p>'
    width, bar_h, label_w = 520, 22, 170
    top = max(value for _, value in data) or 1
    height = bar_h * len(data) + 30
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
    ]
    for row, (label, value) in enumerate(data):
        y = 28 + row * bar_h
        length = (width - label_w - 60) * value / top
        shown = label if len(label) <= 12 else label[:11] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" class="chart-label">{escape(shown)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{bar_h - 8}" class="bar"/>'
            f'<text x="{label_w + length + 6:.1f}" y="{y + 14}" class="chart-value">{value}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def sparkline(values: list[int], label: str) -> str:
    """A tiny line of a count over the snapshots, with its last value."""
    if not values:
        return ""
    width, height = 120, 28
    top, bottom = max(values), min(values)
    span = (top - bottom) or 1
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 4 - (v - bottom) / span * (height - 8):.1f}" for i, v in enumerate(values)
    )
    return (
        f'<svg role="img" aria-label="{escape(label)}：{values[-1]}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><polyline points="{points}" class="spark"/></svg>'
    )
