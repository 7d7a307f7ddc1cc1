"""Charts drawn on the server as inline SVG: they print, need no JavaScript library,
and every point carries a <title> tooltip.

No style= attributes (the Content-Security-Policy refuses inline styles): the
width attribute is the most a chart takes, and app.css lets it shrink on a narrow
screen (``svg.chart``); colours are SVG presentation attributes.
"""

from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


def _axis_money(value: Decimal) -> str:
    """An axis figure: ¥ and whole yuan (¥1,235), the hover title has the cents."""
    figure = f"¥{abs(value):,.0f}"
    return f"-{figure}" if value < 0 and figure != "¥0" else figure


@register.simple_tag
def line_chart(points, width=480, height=160, label="", every=7):
    """Sales by day: a line through (day label, value) points, oldest first, on an
    axis from 0 (or from the lowest value, when one is below 0: a month's loss);
    the highest value, half of it, 0 and the lowest marked on the left, a day label
    under every ``every``-th point and the last; hovering a day shows its value
    (<title>, over a column as wide as the day). Empty when fewer than 2 points.

    Text is 11 units high in a ``width``-unit drawing: draw it at about the width
    it is shown at (a phone's chart with a smaller ``width``) to keep it readable.
    """
    points = [(str(name), Decimal(value)) for name, value in points]
    if len(points) < 2:
        return ""
    left, right, top, bottom = 44, 10, 8, 20
    inner_w, inner_h = width - left - right, height - top - bottom
    low = min(min(value for _name, value in points), Decimal(0))
    high = max(max(value for _name, value in points), Decimal(0))
    if high == low:
        high = low + 1
    step = inner_w / (len(points) - 1)

    def y_of(value):
        return round(top + inner_h - float((value - low) / (high - low)) * inner_h, 1)

    coords = [
        (round(left + i * step, 1), y_of(value)) for i, (_n, value) in enumerate(points)
    ]
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="currentColor" '
        'stroke-opacity="0.15"/><text x="{}" y="{}" font-size="12" '
        'text-anchor="end" fill="#6c757d">{}</text>',
        (
            (left, width - right, y_of(v), y_of(v), left - 4, y_of(v) + 4,
             _axis_money(v))
            for v in dict.fromkeys(
                (low, Decimal(0), high / 2, high) if low < 0 else (0, high / 2, high)
            )
        ),
    )  # fmt: skip
    last = len(points) - 1
    shown = [i for i in range(0, last + 1, every) if last - i >= every / 2] + [last]
    days = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="12" text-anchor="{}" fill="#6c757d">{}</text>',
        (
            (
                coords[i][0],
                height - 5,
                "end" if i == last else "start" if i == 0 else "middle",
                points[i][0],
            )
            for i in shown
        ),
    )
    polyline = " ".join(f"{x},{y}" for x, y in coords)
    hover = format_html_join(
        "",
        '<g><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" '
        'fill="transparent"/><circle cx="{}" cy="{}" r="2.5"/></g>',
        (
            (
                _("%(day)s: %(value)s") % {"day": name, "value": f"¥{value:,.2f}"},
                round(x - step / 2, 1),
                top,
                round(step, 1),
                inner_h,
                x,
                y,
            )
            for (x, y), (name, value) in zip(coords, points, strict=True)
        ),
    )
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'width="{}">{}{}'
        '<polyline fill="none" stroke="currentColor" stroke-width="2" points="{}"/>'
        '<g fill="currentColor">{}</g></svg>',
        label or _("Chart"),
        width,
        height,
        width,
        grid,
        days,
        polyline,
        hover,
    )


@register.simple_tag
def bar_chart(points, width=480, label=""):
    """Horizontal bars for (label, value) points, largest first, values written out."""
    points = [
        (str(name), Decimal(value)) for name, value in points if value is not None
    ]
    if not points:
        return ""
    top = max(value for _name, value in points) or Decimal(1)
    bar_height, gap, text_width = 18, 6, 150
    height = len(points) * (bar_height + gap)
    bars = format_html_join(
        "",
        '<g><title>{}: {}</title><text x="0" y="{}" font-size="12">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="currentColor"/>'
        '<text x="{}" y="{}" font-size="12">{}</text></g>',
        (
            (
                name,
                f"{value:,.2f}",
                i * (bar_height + gap) + 13,
                name[:14],
                text_width,
                i * (bar_height + gap),
                max(1, round(float(value / top) * (width - text_width - 70), 1)),
                bar_height,
                text_width
                + max(1, round(float(value / top) * (width - text_width - 70), 1))
                + 4,
                i * (bar_height + gap) + 13,
                f"{value:,.2f}",
            )
            for i, (name, value) in enumerate(points)
        ),
    )
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'width="{}">{}</svg>',
        label or _("Chart"),
        width,
        height,
        width,
        bars,
    )
