"""The Code 128 barcode of a sale's number, drawn by python-barcode as SVG.

python-barcode writes every bar as ``<rect style="fill:…">``; our Content-Security-
Policy allows no style attributes, so the colours move into ``fill`` attributes
(the same drawing, as presentation attributes). The XML declaration and doctype go,
so the SVG can sit inline in the page.
"""

from __future__ import annotations

import io
from xml.dom import minidom

import barcode
from barcode.writer import SVGWriter
from django.utils.safestring import SafeString, mark_safe

OPTIONS = {
    "module_width": 0.25,  # mm: 58–72 mm of 80 mm paper for a 20-character number
    "module_height": 10.0,
    "quiet_zone": 2.5,
    "write_text": False,
}


def code128_svg(text: str, *, label: str = "") -> SafeString:
    """An inline SVG Code 128 of ``text`` (a scanner reads back ``text``)."""
    code = barcode.get("code128", text, writer=SVGWriter())
    buffer = io.BytesIO()
    code.write(buffer, options=OPTIONS)
    # The library's own output, never user input.
    document = minidom.parseString(buffer.getvalue())  # noqa: S318
    svg = document.documentElement
    shapes = svg.getElementsByTagName("rect") + svg.getElementsByTagName("text")
    for element in shapes:
        style = element.getAttribute("style")
        element.removeAttribute("style")
        for rule in filter(None, (part.strip() for part in style.split(";"))):
            name, _colon, value = rule.partition(":")
            if name.strip() == "fill":
                element.setAttribute("fill", value.strip())
    svg.setAttribute("role", "img")
    svg.setAttribute("aria-label", label or text)
    svg.setAttribute("class", "slip-barcode")
    for child in list(svg.childNodes):
        if child.nodeType == child.COMMENT_NODE:
            svg.removeChild(child)
    return mark_safe(svg.toxml())  # noqa: S308 - built by the library, text escaped
