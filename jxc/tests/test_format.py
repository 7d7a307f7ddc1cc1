from decimal import Decimal

import pytest
from django.utils import translation

from jxc.decimals import money, round_to
from jxc.formatting import money as money_filter
from jxc.formatting import qty


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234.5"), "¥1,234.50"),
        (Decimal("-3"), "-¥3.00"),
        (None, ""),
        ("x", ""),
        (Decimal("0.005"), "¥0.01"),
    ],
)
def test_money_shows_yuan_with_two_decimals_and_grouping(value, shown):
    with translation.override("zh-hans"):
        assert money_filter(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("12.000"), "12"),
        (Decimal("2.500"), "2.5"),
        (Decimal("0.125"), "0.125"),
        (Decimal("12000"), "12,000"),
        (Decimal("1E+1"), "10"),
    ],
)
def test_quantity_drops_trailing_zeros(value, shown):
    with translation.override("zh-hans"):
        assert qty(value) == shown


def test_rounding_is_half_up_like_postgresql():
    assert money(Decimal("2.675")) == Decimal("2.68")
    assert money(Decimal("-2.675")) == Decimal("-2.68")
    assert round_to(Decimal("0.00005"), 4) == Decimal("0.0001")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("3.3325"), "¥3.3325"),
        (Decimal("4.5000"), "¥4.50"),
        (Decimal("1234.1"), "¥1,234.10"),
        (Decimal("0.00005"), "¥0.0001"),
    ],
)
def test_cost_keeps_up_to_four_decimals(value, shown):
    from jxc.formatting import cost

    assert cost(value) == shown


def test_excel_cells_are_safe_whatever_the_text():
    import io

    import openpyxl

    from jxc.excel import MONEY, Col, Sheet, workbook_bytes

    rows = [["=1+1", "bad\x01char", "x" * 40_000, Decimal("1234.5")]]
    content = workbook_bytes(
        [
            Sheet(
                title="t/[x]",
                caption="小店 报表 2026-11",
                columns=[Col("a"), Col("b"), Col("c"), Col("d", MONEY)],
                rows=rows,
            )
        ]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == "小店 报表 2026-11"
    assert (sheet["A3"].value, sheet["A3"].data_type) == ("=1+1", "s")
    assert sheet["B3"].value == "badchar"
    assert len(sheet["C3"].value) == 32_767
    assert sheet["D3"].number_format == '"¥"#,##0.00'
    assert sheet.freeze_panes == "A3"
