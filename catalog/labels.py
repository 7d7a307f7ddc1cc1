"""Barcodes on price labels: EAN-13 (or EAN-8) where the code is one, Code 128
otherwise, drawn as SVG by python-barcode and put into the page as a data: image
(the page's CSP allows data: images, and an image's own styles stay inside it)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from io import BytesIO

import barcode
from barcode.writer import SVGWriter

from jxc.decimals import money
from jxc.matching import gtin_check_digit

# Bars in millimetres: 0.264 mm is EAN's 80 % magnification, still read by every
# scanner and narrow enough for a 40 mm label.
MODULE_MM = 0.264
BAR_HEIGHT_MM = 9.0


def barcode_kind(code: str) -> str | None:
    """ "ean13" / "ean8" for a GS1 number with a valid check digit, "code128" for
    other printable ASCII, None for what no label barcode can carry (Chinese)."""
    if not code:
        return None
    gtin = code.isascii() and code.isdigit() and len(code) in (8, 13)
    if gtin and int(code[-1]) == gtin_check_digit(code[:-1]):
        return "ean13" if len(code) == 13 else "ean8"
    if code.isascii() and code.isprintable():
        return "code128"
    return None


def barcode_svg(code: str) -> str | None:
    """The code's bars as an SVG document (no human-readable text: the label
    prints the code itself beside them), or None when it cannot be drawn."""
    kind = barcode_kind(code)
    if kind is None:
        return None
    drawn = barcode.get(kind, code, writer=SVGWriter())
    out = BytesIO()
    drawn.write(
        out,
        options={
            "module_width": MODULE_MM,
            "module_height": BAR_HEIGHT_MM,
            "quiet_zone": 2.0,
            "write_text": False,
            "compress": False,
        },
    )
    return out.getvalue().decode()


def barcode_data_uri(code: str) -> str:
    """The SVG as a data: URI for an <img> ("" when it cannot be drawn)."""
    svg = barcode_svg(code)
    if svg is None:
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@dataclass(frozen=True)
class LabelItem:
    """One row of a label page: a product in its base unit, or one of its package
    units (the 箱 with its own barcode and price)."""

    product: object
    unit: object = None  # a PackageUnit

    @property
    def key(self) -> str:
        """The count field's name: n_<product pk>, or u_<package unit pk>."""
        return f"u_{self.unit.pk}" if self.unit else f"n_{self.product.pk}"

    @property
    def barcode(self) -> str:
        return self.unit.barcode if self.unit else self.product.barcode

    @property
    def code(self) -> str:
        """What the label's bars carry: the barcode, else (a product) its SKU."""
        return self.barcode if self.unit else (self.barcode or self.product.sku)

    @property
    def unit_name(self) -> str:
        return self.unit.name if self.unit else self.product.unit

    @property
    def price(self):
        """The sale price of what the label is on (a package: its own price, else
        the product's × the factor)."""
        if self.unit is None:
            return self.product.sale_price
        if self.unit.sale_price is not None:
            return self.unit.sale_price
        return money(self.product.sale_price * self.unit.factor)
