"""Package units (1 箱 = 24 瓶): exact conversion to the base unit the ledger keeps,
and stock shown as "3 箱 5 瓶". Pure functions of Decimals (kernel; imports no app).

A conversion is exact or refused: a quantity in a package unit times its factor
must fit the ledger's 3 decimals, never rounded (0.001 箱 of 2.5 would be 0.0025).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jxc.decimals import QUANTITY_PLACES
from jxc.formatting import qty

FACTOR_PLACES = 3


class InexactConversion(ValueError):
    """The quantity in the base unit would need more than 3 decimals."""


def _places(value: Decimal) -> int:
    return max(0, -value.normalize().as_tuple().exponent)


def factor_problem(factor: Decimal) -> str | None:
    """Why a package unit's factor cannot be used (None: it can): it must be a
    positive number with at most 3 decimals."""
    if not factor.is_finite() or factor <= 0:
        return _("The factor must be a number greater than 0.")
    if _places(factor) > FACTOR_PLACES:
        return _("The factor may have at most 3 decimals.")
    return None


def to_base(quantity: Decimal, factor: Decimal) -> Decimal:
    """``quantity`` in a package unit of ``factor`` base units, in base units,
    exactly; raises InexactConversion when that needs more than 3 decimals."""
    if problem := factor_problem(factor):
        raise InexactConversion(problem)
    base = quantity * factor
    if _places(base) > QUANTITY_PLACES:
        raise InexactConversion(
            _(
                "%(quantity)s × %(factor)s = %(base)s: more than 3 decimals in the "
                "base unit."
            )
            % {"quantity": qty(quantity), "factor": qty(factor), "base": base}
        )
    return base.quantize(Decimal(1).scaleb(-QUANTITY_PLACES))


def split(base: Decimal, factor: Decimal) -> tuple[int, Decimal]:
    """Whole packages and what is left over, in base units: 77 of 24 → (3, 5).
    For a negative ``base`` both parts are negative (−77 → (−3, −5))."""
    if factor_problem(factor):
        raise InexactConversion(factor_problem(factor))
    packages, rest = divmod(abs(base), factor)
    sign = -1 if base < 0 else 1
    return sign * int(packages), sign * rest


def in_packages(base: Decimal, factor: Decimal, package: str, unit: str) -> str:
    """Stock as a shop counts it: "3 箱 5 瓶", "3 箱", "5 瓶", "-3 箱 5 瓶"."""
    packages, rest = split(base, factor)
    parts = []
    if packages:
        parts.append(f"{abs(packages):,} {package}")
    if rest or not packages:
        parts.append(f"{qty(abs(rest))} {unit}")
    text = " ".join(parts)
    return f"-{text}" if base < 0 else text


# --- document lines: a quantity entered in a unit -----------------------------------


@dataclass(frozen=True)
class Entry:
    """A line's quantity as entered (``entered`` in ``unit``, None: the base unit,
    of ``factor`` base units) and in the base unit (``base``)."""

    unit: object | None
    factor: Decimal
    entered: Decimal
    base: Decimal

    @property
    def unit_pk(self):
        return getattr(self.unit, "pk", self.unit)

    def fields(self) -> dict:
        """The kernel line's columns (jxc.models.DocumentLine)."""
        unit = self.unit
        return {
            ("unit_id" if isinstance(unit, int) else "unit"): unit,
            "unit_factor": self.factor,
            "entered_quantity": self.entered,
            "quantity": self.base,
        }

    def base_price(self, price: Decimal) -> Decimal:
        """A price per the entered unit, per base unit (unrounded)."""
        return price / self.factor


def entry(product, quantity: Decimal, unit=None) -> Entry:
    """``quantity`` of ``product`` typed in ``unit`` (a catalog.PackageUnit of the
    product, or None for its base unit), converted exactly; raises ValidationError
    (the product named) when the unit is another product's or the conversion
    would need more than 3 decimals."""
    if unit is None:
        return Entry(None, Decimal(1), quantity, quantity)
    if unit.product_id != product.pk:
        raise ValidationError(
            _("“%(unit)s” is not a unit of “%(name)s”.")
            % {"unit": unit.name, "name": product.name}
        )
    try:
        base = to_base(quantity, unit.factor)
    except InexactConversion as problem:
        raise ValidationError(
            _("“%(name)s”: %(problem)s") % {"name": product.name, "problem": problem}
        ) from None
    return Entry(unit, unit.factor, quantity, base)


def entry_of_base(base: Decimal, unit, factor: Decimal) -> Entry:
    """``base`` units of a line in ``unit`` (a PackageUnit or its id, None: the
    base unit) of ``factor`` (a shipment of an order line in 箱), in that unit when
    it divides exactly to 3 decimals, else in the base unit: 48 瓶 of 箱 24 →
    2 箱; 5 瓶 of 箱 24 → 5 瓶."""
    if unit is not None and factor:
        packages = base / factor
        if _places(packages) <= QUANTITY_PLACES:
            return Entry(unit, factor, packages.quantize(Decimal("0.001")), base)
    return Entry(None, Decimal(1), base, base)


def entered_lines(lines) -> list:
    """Line inputs (frozen dataclasses with ``product``, ``quantity`` typed in
    ``unit``, and ``entered``) with ``quantity`` in base units and ``entered`` the
    quantity as typed; raises ValidationError as ``entry`` does."""
    found = []
    for line in lines:
        if getattr(line, "entered", None) is not None:
            found.append(line)  # converted already
            continue
        step = entry(line.product, line.quantity, getattr(line, "unit", None))
        found.append(replace(line, quantity=step.base, entered=step.entered))
    return found


def package_price(product, unit) -> Decimal:
    """The sale price of one ``unit`` of ``product``: the package's own price,
    else the product's sale price × the factor (None: the base unit's)."""
    from jxc.decimals import money

    if unit is None:
        return product.sale_price
    if unit.sale_price is not None:
        return unit.sale_price
    return money(product.sale_price * unit.factor)


def line_entry(line) -> Entry:
    """The Entry of a line input converted by ``entered_lines``."""
    unit = getattr(line, "unit", None)
    entered = line.entered if line.entered is not None else line.quantity
    return Entry(
        unit, unit.factor if unit is not None else Decimal(1), entered, line.quantity
    )
