"""Charts drawn on the server as inline SVG: they print, need no JavaScript library,
and every point carries a <title> tooltip."""

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
        'width="100%" preserveAspectRatio="none" style="max-width:{}px">'
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
