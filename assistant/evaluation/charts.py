"""Hand-made inline SVG bar charts (no external assets; Chinese labels use the browser's fonts)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

_LABEL_WIDTH = 170
_BAR_WIDTH = 300
_VALUE_WIDTH = 150
_ROW_HEIGHT = 24
_TOP = 8


@dataclass(frozen=True)
class Bar:
    """One row of a chart: a label, its value, an optional baseline value and their display texts."""

    label: str
    value: float | None
    text: str
    baseline: float | None = None
    status: str = ""


def bar_chart(title: str, bars: Sequence[Bar], maximum: float | None = None) -> str:
    """Return a horizontal bar chart as an inline <svg>; a baseline shows as a dark tick on each bar."""
    values = [v for bar in bars for v in (bar.value, bar.baseline) if v is not None]
    scale = maximum if maximum is not None else max(values, default=0.0) * 1.1
    scale = scale if scale > 0 else 1.0
    width = _LABEL_WIDTH + _BAR_WIDTH + _VALUE_WIDTH
    height = _TOP * 2 + _ROW_HEIGHT * len(bars)
    parts = [
        (
            f'<svg class="chart" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
        ),
        f'<rect x="{_LABEL_WIDTH}" y="{_TOP}" width="{_BAR_WIDTH}" height="{height - 2 * _TOP}" fill="#f4f6f8"/>',
    ]
    for row, bar in enumerate(bars):
        y = _TOP + row * _ROW_HEIGHT
        middle = y + _ROW_HEIGHT / 2 + 4
        parts.append(
            f'<text x="{_LABEL_WIDTH - 6}" y="{middle}" text-anchor="end" font-size="12">{escape(bar.label)}</text>'
        )
        if bar.value is not None:
            length = max(0.0, min(bar.value / scale, 1.0)) * _BAR_WIDTH
            colour = {"improved": "#2e7d32", "regressed": "#c62828"}.get(bar.status, "#3f6fb5")
            parts.append(
                f'<rect class="bar" x="{_LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" '
                f'height="{_ROW_HEIGHT - 8}" fill="{colour}"><title>{escape(bar.label)}: {escape(bar.text)}</title></rect>'
            )
        if bar.baseline is not None:
            x = _LABEL_WIDTH + max(0.0, min(bar.baseline / scale, 1.0)) * _BAR_WIDTH
            parts.append(
                f'<line class="baseline" x1="{x:.1f}" x2="{x:.1f}" y1="{y + 1}" y2="{y + _ROW_HEIGHT - 1}" '
                'stroke="#222" stroke-width="2"/>'
            )
        parts.append(f'<text x="{_LABEL_WIDTH + _BAR_WIDTH + 6}" y="{middle}" font-size="12">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return "".join(parts)
