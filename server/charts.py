"""Server-rendered SVG charts: a horizontal bar chart and a line chart, no JavaScript.

Ground floor (imports nothing from the rooms). The SVG is inline markup: it works offline,
prints on A4 (a fixed ``viewBox`` scaled to the page width, black-on-white friendly colours)
and every label is XML-escaped, so a township named ``<b>`` stays text. Pages embed the
returned ``Markup``; exports may write the same string to a file.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

from markupsafe import Markup

WIDTH = 640  # viewBox units; the page scales the chart to its width (A4 portrait ≈ 180 mm)
FONT = "font-family=\"'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif\""
PALETTE = ("#2f6db5", "#d9822b", "#3a9b5c", "#b5443a", "#7a5bb5", "#6b6b6b")


def _text(value) -> str:
    return escape(str(value), {'"': "&quot;"})


def _number(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _svg(height: float, title: str, body: list[str], css_class: str) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
            f'preserveAspectRatio="xMinYMin meet" {FONT} font-size="12">'
            f"<title>{_text(title)}</title>"
            f'<text x="{WIDTH / 2:.0f}" y="18" text-anchor="middle" font-size="14" '
            f'font-weight="bold">{_text(title)}</text>')
    return Markup(head + "".join(body) + "</svg>")


def bar_chart(title: str, labels: list[str], values: list[float | None], *, unit: str = "",
              digits: int = 1, maximum: float | None = None,
              highlight: frozenset[int] = frozenset()) -> Markup:
    """One horizontal bar per label (top to bottom in the given order); None draws no bar
    and prints "—". ``highlight`` indexes bars drawn in the warning colour (e.g. the bottom
    townships); ``maximum`` fixes the scale (100 for percentages)."""
    row, top, left, right = 22, 32, 130, 70
    height = top + row * max(len(labels), 1) + 10
    known = [v for v in values if v is not None]
    scale_max = maximum if maximum is not None else max(known + [0]) or 1
    span = WIDTH - left - right
    body = []
    for n, (name, value) in enumerate(zip(labels, values)):
        y = top + n * row
        body.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{_text(name)}</text>')
        if value is None:
            body.append(f'<text x="{left + 4}" y="{y + 15}" fill="#6b6b6b">—</text>')
            continue
        width = max(0.0, min(1.0, value / scale_max)) * span if scale_max else 0
        colour = PALETTE[3] if n in highlight else PALETTE[0]
        body.append(f'<rect x="{left}" y="{y + 4}" width="{width:.1f}" height="{row - 8}" '
                    f'fill="{colour}"><title>{_text(name)}：{_number(value, digits)}'
                    f"{_text(unit)}</title></rect>")
        body.append(f'<text x="{left + width + 4:.1f}" y="{y + 15}">'
                    f"{_number(value, digits)}{_text(unit)}</text>")
    body.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - 10:.0f}" '
                f'stroke="#333" stroke-width="1"/>')
    return _svg(height, title, body, "bar-chart")


def line_chart(title: str, x_labels: list[str], series: dict[str, list[float | None]], *,
               unit: str = "", digits: int = 1, maximum: float | None = None,
               ticks: list[str] | None = None) -> Markup:
    """One line per series over the x labels (e.g. months); a None value breaks the line.
    The legend names each series; the y axis runs from 0 to ``maximum`` (or the largest).
    ``ticks`` (same length) are shorter axis labels (e.g. "02" after "2026-01"); the points'
    tooltips keep the full x labels."""
    height, top, bottom, right = 300, 34, 60, 20
    known = [v for values in series.values() for v in values if v is not None]
    scale_max = maximum if maximum is not None else max(known + [0]) or 1
    # room for the longest y-axis label (about 7 units a character at font size 12)
    left = max(50, 10 + 7 * len(f"{_number(scale_max, digits)}{unit}"))
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    step = plot_w / max(len(x_labels) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, top + plot_h - max(0.0, min(1.0, v / scale_max)) * plot_h

    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - right}" y2="{top + plot_h}" '
            f'stroke="#333"/>', f'<line x1="{left}" y1="{top}" x2="{left}" '
            f'y2="{top + plot_h}" stroke="#333"/>']
    for fraction in (0, 0.5, 1):
        y = top + plot_h - fraction * plot_h
        body.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">'
                    f"{_number(scale_max * fraction, digits)}{_text(unit)}</text>")
    for i, name in enumerate(ticks or x_labels):
        body.append(f'<text x="{left + i * step:.1f}" y="{top + plot_h + 16}" '
                    f'text-anchor="middle">{_text(name)}</text>')
    for n, (name, values) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        segments, current = [], []
        for i, value in enumerate(values):
            if value is None:
                if current:
                    segments.append(current)
                current = []
                continue
            current.append(xy(i, value))
            x, y = xy(i, value)
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>'
                        f"{_text(name)} {_text(x_labels[i])}：{_number(value, digits)}"
                        f"{_text(unit)}</title></circle>")
        if current:
            segments.append(current)
        for points in segments:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                        f'stroke-width="2"/>')
        lx = left + (n % 4) * 150
        ly = height - 18 - (n // 4) * 16
        body.append(f'<rect x="{lx}" y="{ly - 9}" width="12" height="4" fill="{colour}"/>'
                    f'<text x="{lx + 16}" y="{ly - 4}">{_text(name)}</text>')
    return _svg(height, title, body, "line-chart")
