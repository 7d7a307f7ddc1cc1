"""Money and quantity rounding: Decimal end to end, half-up (四舍五入) everywhere."""

from decimal import ROUND_HALF_UP, Decimal

QUANTITY_PLACES = 3
PRICE_PLACES = 2
COST_PLACES = 4
VALUE_PLACES = 2

QUANTITY_DIGITS = 14  # up to 99,999,999,999.999
MONEY_DIGITS = 14  # up to 999,999,999,999.99
COST_DIGITS = 16

MAX_PRICE = Decimal("99999999.99")
MAX_QUANTITY = Decimal("999999999.999")
MAX_VALUE = Decimal("999999999999.99")  # a stock value column: 14 digits, 2 places


def round_to(value, places: int) -> Decimal:
    """Round half-up to ``places`` decimals, as PostgreSQL's ROUND does for numerics."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def money(value) -> Decimal:
    return round_to(value, VALUE_PLACES)


def quantity(value) -> Decimal:
    return round_to(value, QUANTITY_PLACES)


def unit_cost(value) -> Decimal:
    return round_to(value, COST_PLACES)
