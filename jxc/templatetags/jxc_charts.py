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


@register.simple_tag
def line_chart(points, width=480, height=140, label=""):
    """A line through (label, value) points, oldest first; empty when fewer than 2."""
    points = [(str(name), Decimal(value)) for name, value in points]
    if len(points) < 2:
        return ""
    pad = 24
    values = [value for _name, value in points]
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)
    step = (width - 2 * pad) / (len(points) - 1)

    def xy(index, value):
        x = pad + index * step
        y = height - pad - float((value - low) / span) * (height - 2 * pad)
        return round(x, 1), round(y, 1)

    coords = [xy(i, value) for i, (_name, value) in enumerate(points)]
    polyline = " ".join(f"{x},{y}" for x, y in coords)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3"><title>{}: {}</title></circle>',
        (
            (x, y, name, f"{value:,.2f}")
            for (x, y), (name, value) in zip(coords, points, strict=True)
        ),
    )
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'width="{}" preserveAspectRatio="none">'
        '<text x="2" y="12" font-size="10">{}</text>'
        '<text x="2" y="{}" font-size="10">{}</text>'
        '<polyline fill="none" stroke="currentColor" stroke-width="2" points="{}"/>'
        '<g fill="currentColor">{}</g></svg>',
        label or _("Chart"),
        width,
        height,
        width,
        f"{high:,.2f}",
        height - 4,
        f"{low:,.2f}",
        polyline,
        dots,
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
        '<g><title>{}: {}</title><text x="0" y="{}" font-size="11">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="currentColor"/>'
        '<text x="{}" y="{}" font-size="11">{}</text></g>',
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
