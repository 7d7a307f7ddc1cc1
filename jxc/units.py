"""Package units (1 箱 = 24 瓶): exact conversion to the base unit the ledger keeps,
and stock shown as "3 箱 5 瓶". Pure functions of Decimals (kernel; imports no app).

A conversion is exact or refused: a quantity in a package unit times its factor
must fit the ledger's 3 decimals, never rounded (0.001 箱 of 2.5 would be 0.0025).
"""

from __future__ import annotations

from decimal import Decimal

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
