"""A small bar chart as inline SVG, drawn on the server: no chart library, nothing to load."""

from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT, GAP = 900, 100, 3


def bars(points: list[tuple[date, int]], label: str, color: str) -> Markup:
    """One bar per day; `label` is the chart's accessible name, each bar has a tooltip title."""
    peak = max((value for _, value in points), default=0) or 1
    step = WIDTH / max(len(points), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 16}" role="img" aria-label="{escape(label)}">',
        f'<line x1="0" y1="{HEIGHT}" x2="{WIDTH}" y2="{HEIGHT}" stroke="#d4d4d4"/>',
    ]
    for i, (day, value) in enumerate(points):
        height = round(HEIGHT * value / peak, 1)
        x = round(i * step + GAP / 2, 1)
        # An empty day still gets a hairline so the time axis reads as continuous.
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - max(height, 1)}" width="{round(step - GAP, 1)}" '
            f'height="{max(height, 1)}" fill="{escape(color)}" rx="2" '
            f'opacity="{1 if value else 0.25}"><title>{day.isoformat()}: {value}</title></rect>'
        )
    if points:
        parts.append(f'<text x="0" y="{HEIGHT + 14}" font-size="11" fill="#616161">{points[0][0].isoformat()}</text>')
        parts.append(
            f'<text x="{WIDTH}" y="{HEIGHT + 14}" font-size="11" fill="#616161" '
            f'text-anchor="end">{points[-1][0].isoformat()}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
