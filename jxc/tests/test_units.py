"""Package units: conversion to the base unit is exact or refused, and stock reads
as "3 箱 5 瓶" (jxc.units, pure)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jxc.units import InexactConversion, factor_problem, in_packages, split, to_base

quantities = st.decimals(
    min_value=Decimal("0.001"), max_value=Decimal("99999"), places=3
)
factors = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3)


def test_a_box_of_24_is_24_bottles():
    assert to_base(Decimal(3), Decimal(24)) == Decimal("72.000")
    assert to_base(Decimal("0.5"), Decimal(24)) == Decimal("12")


def test_a_conversion_needing_more_than_3_decimals_is_refused():
    with pytest.raises(InexactConversion, match="3"):
        to_base(Decimal("0.001"), Decimal("2.5"))


@pytest.mark.parametrize("factor", ["0", "-1", "0.0001", "NaN", "Infinity"])
def test_a_factor_must_be_positive_with_at_most_3_decimals(factor):
    assert factor_problem(Decimal(factor))
    with pytest.raises(InexactConversion):
        to_base(Decimal(1), Decimal(factor))


@given(quantities, factors)
def test_conversion_is_exact_or_refused_never_rounded(quantity, factor):
    try:
        base = to_base(quantity, factor)
    except InexactConversion:
        assert (quantity * factor) != (quantity * factor).quantize(Decimal("0.001"))
    else:
        assert base == quantity * factor


@given(st.integers(min_value=1, max_value=10**6), st.integers(1, 500))
def test_whole_packages_convert_back(packages, factor):
    assert to_base(Decimal(packages), Decimal(factor)) / factor == packages


@given(
    st.decimals(min_value=Decimal("-99999"), max_value=Decimal("99999"), places=3),
    factors,
)
def test_split_gives_back_the_quantity(base, factor):
    packages, rest = split(base, factor)
    assert packages * factor + rest == base
    assert abs(rest) < factor
    assert (packages >= 0 and rest >= 0) or (packages <= 0 and rest <= 0)


@pytest.mark.parametrize(
    "base, text",
    [
        ("77", "3 箱 5 瓶"),
        ("72", "3 箱"),
        ("5", "5 瓶"),
        ("0", "0 瓶"),
        ("-77", "-3 箱 5 瓶"),
        ("24000", "1,000 箱"),
        ("25.5", "1 箱 1.5 瓶"),
    ],
)
def test_stock_reads_in_boxes_and_bottles(base, text):
    assert in_packages(Decimal(base), Decimal(24), "箱", "瓶") == text
