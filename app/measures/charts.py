"""The retention page's charts as inline SVG, drawn on the server like the settings page's bars.

Every number drawn is escaped text; sizes come from the viewBox, so the charts scale to a phone.
"""

from markupsafe import Markup, escape

WIDTH = 600


def windows(rows: list[dict], label: str, customers_label: str, revenue_label: str, money, color: str) -> Markup:
    """Horizontal bars, one row per last-order window: customers (bar) and their revenue (text)."""
    peak = max((row["customers"] for row in rows), default=0) or 1
    row_height, left, right = 34, 70, 150
    bar_space = WIDTH - left - right
    height = row_height * len(rows) + 24
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(label)}">',
        f'<text x="{left}" y="14" font-size="12" fill="#616161">{escape(customers_label)}</text>',
        f'<text x="{WIDTH}" y="14" font-size="12" fill="#616161" text-anchor="end">{escape(revenue_label)}</text>',
    ]
    for i, row in enumerate(rows):
        y = 24 + i * row_height
        width = round(bar_space * row["customers"] / peak, 1)
        parts.append(
            f'<text x="0" y="{y + 18}" font-size="13" fill="#303030">{escape(row["days"])}</text>'
            f'<rect x="{left}" y="{y + 4}" width="{max(width, 1)}" height="20" rx="3" fill="{escape(color)}" '
            f'opacity="{1 if row["customers"] else 0.25}"><title>{escape(row["days"])}: {row["customers"]}</title></rect>'
            f'<text x="{left + max(width, 1) + 6}" y="{y + 18}" font-size="12" fill="#303030">{row["customers"]}</text>'
            f'<text x="{WIDTH}" y="{y + 18}" font-size="12" fill="#303030" text-anchor="end">'
            f"{escape(money(row['revenue']))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def cohorts(table: list, months: int, label: str, color: str) -> Markup:
    """A heat map: a row per cohort, a column per month since its first order, shaded by the share
    still buying (the number is written in the cell, so it reads without the colour)."""
    cell, left, top = 44, 64, 20
    width = left + cell * months
    height = top + cell * max(len(table), 1)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">']
    for k in range(months):
        parts.append(
            f'<text x="{left + k * cell + cell / 2}" y="14" font-size="11" fill="#616161" text-anchor="middle">+{k}</text>'
        )
    for i, cohort in enumerate(table):
        y = top + i * cell
        parts.append(f'<text x="0" y="{y + cell / 2 + 4}" font-size="12" fill="#303030">{escape(cohort.month)}</text>')
        for k in range(months):
            share = cohort.share(k)
            if share is None:
                continue
            opacity = 0.12 + 0.88 * share / 100
            x = left + k * cell
            ink = "#fff" if share >= 50 else "#303030"
            revenue = cohort.cells[k][1]
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" rx="3" fill="{escape(color)}" '
                f'opacity="{opacity:.2f}"><title>{escape(cohort.month)} +{k}: {share}% · {revenue}</title></rect>'
                f'<text x="{x + cell / 2}" y="{y + cell / 2 + 4}" font-size="11" fill="{ink}" '
                f'text-anchor="middle">{share:g}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
