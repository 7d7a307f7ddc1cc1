"""``{% shot "cashier-scan" "alt text" %}``: a screenshot of the guide, from
guide/static/guide/<name>.png (the browser tests in guide/tests/test_screens.py
take them), with its width and height so the page does not jump while it loads."""

import struct

from django import template
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

PHONE_WIDTH = 390
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(name: str) -> tuple[int, int] | None:
    path = finders.find(f"guide/{name}.png")
    if not path:
        return None
    with open(path, "rb") as file:
        header = file.read(24)
    # The PNG signature (8 bytes), the IHDR chunk's length and type (8), then
    # width and height as big-endian 32-bit integers.
    if len(header) < 24 or not header.startswith(PNG_SIGNATURE):
        return None
    return struct.unpack(">II", header[16:24])


@register.simple_tag
def shot(name: str, alt: str):
    size = png_size(name)
    width, height = size if size else ("", "")
    phone = bool(size) and width <= PHONE_WIDTH
    url = static(f"guide/{name}.png")
    # The picture opens at full size when tapped: a screen shrunk to the text's
    # width is small print.
    return format_html(
        '<figure class="guide-shot{}"><a href="{}"><img src="{}" alt="{}" width="{}"'
        ' height="{}" loading="lazy" class="img-fluid border rounded"></a></figure>',
        " guide-shot-phone" if phone else "",
        url,
        url,
        alt,
        width,
        height,
    )
