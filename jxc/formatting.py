"""Numbers that read like money: ¥ with two decimals, quantities without trailing
0s. Pure functions of a value: templates use them as filters (jxc_format), and
services and views call them for messages. Imports no app and no template code."""

from decimal import Decimal, InvalidOperation

from jxc.decimals import money as round_money
from jxc.decimals import round_to


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


def money(value):
    """¥1,234.50; empty for no value."""
    number = _decimal(value)
    if number is None:
        return ""
    # ¥1,234.50 in both languages (Django's zh-hans format has no grouping).
    text = f"{round_money(abs(number)):,.2f}"
    return f"-¥{text}" if number < 0 else f"¥{text}"


def qty(value):
    """12, 2.5, 0.125: a quantity without trailing zeros, thousands separated."""
    number = _decimal(value)
    if number is None:
        return ""
    normal = number.normalize()
    if normal == normal.to_integral():
        normal = normal.quantize(Decimal(1))
    places = max(0, -normal.as_tuple().exponent)
    return f"{normal:,.{places}f}"


def negate(value):
    """-x, for showing an outbound (negative) quantity in an "out" column."""
    number = _decimal(value)
    return "" if number is None else -number


def cost(value):
    """A unit cost: ¥ with 2 to 4 decimals (costs keep 4, ¥3.3325; ¥4.50 stays)."""
    number = _decimal(value)
    if number is None:
        return ""
    rounded = round_to(abs(number), 4)
    places = max(2, min(4, -rounded.normalize().as_tuple().exponent))
    text = f"{rounded:,.{places}f}"
    return f"-¥{text}" if number < 0 else f"¥{text}"


def plain(value):
    """A number for an <input type=number>: 1500, 2.5 (no grouping, no exponent)."""
    number = _decimal(value)
    return "" if number is None else format(number.normalize(), "f")
