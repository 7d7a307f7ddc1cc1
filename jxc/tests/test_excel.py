"""The export writer's body rows (one reused styled cell per column): text that
looks like a formula stays text, every value keeps its type and its column's
number format, and times are written in the shop's local time."""

import io
from datetime import date, datetime
from datetime import timezone as dt_timezone
from decimal import Decimal

import openpyxl
from django.utils.translation import gettext_lazy

from jxc.excel import (
    DATE,
    DATETIME,
    INTEGER,
    MONEY,
    NUMBER_FORMATS,
    QUANTITY,
    Col,
    Sheet,
    workbook_bytes,
)


def _read(rows, columns, totals=None):
    content = workbook_bytes(
        [Sheet(title="t", columns=columns, rows=rows, totals=totals)]
    )
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_formula_like_text_in_body_rows_stays_text():
    texts = ["=1+1", "+1+2", "-3+4", "@SUM(A1)", '=HYPERLINK("http://x")']
    sheet = _read(([text] for text in texts), [Col("name")])
    for row, text in enumerate(texts, start=2):
        cell = sheet.cell(row=row, column=1)
        assert (cell.value, cell.data_type) == (text, "s")


def test_body_values_keep_types_and_column_formats():
    aware = datetime(2026, 3, 1, 16, 30, tzinfo=dt_timezone.utc)  # 00:30 next day
    rows = [
        ["a\x02b", Decimal("1234.5"), Decimal("2.125"), 7, aware, date(2026, 3, 4)],
        [gettext_lazy("Total"), None, Decimal("-1"), True, None, None],
    ]
    columns = [
        Col("text"),
        Col("money", MONEY),
        Col("qty", QUANTITY),
        Col("n", INTEGER),
        Col("at", DATETIME),
        Col("on", DATE),
    ]
    sheet = _read(iter(rows), columns, totals=["=total", Decimal("1"), *[None] * 4])
    a2, b2, c2, d2, e2, f2 = sheet[2]
    assert a2.value == "ab"  # a control character Excel refuses is dropped
    assert (b2.value, b2.number_format) == (1234.5, NUMBER_FORMATS[MONEY])
    assert (c2.value, c2.number_format) == (2.125, NUMBER_FORMATS[QUANTITY])
    assert (d2.value, d2.number_format) == (7, NUMBER_FORMATS[INTEGER])
    assert e2.value == datetime(2026, 3, 2, 0, 30)  # Asia/Shanghai wall clock
    assert e2.number_format == NUMBER_FORMATS[DATETIME]
    assert f2.value == datetime(2026, 3, 4)
    assert f2.number_format == NUMBER_FORMATS[DATE]
    a3, b3, c3, d3, _e3, _f3 = sheet[3]
    assert (a3.value, a3.data_type) == ("合计", "s")  # a lazy translation
    assert b3.value is None
    assert c3.value == -1
    assert d3.value is True
    # The totals row (openpyxl's own path after the body) is bold and safe too.
    assert (sheet["A4"].value, sheet["A4"].data_type) == ("=total", "s")
    assert sheet["A4"].font.b
    assert sheet.auto_filter.ref == "A1:F3"


def test_an_empty_body_writes_the_header_only():
    sheet = _read([], [Col("x"), Col("y", MONEY)])
    assert [c.value for c in sheet[1]] == ["x", "y"]
    assert sheet.max_row == 1


def test_whole_quantities_show_no_decimal_point_fractions_keep_theirs():
    rows = [[Decimal("44")], [Decimal("44.000")], [Decimal("2.5")], [3]]
    sheet = _read(iter(rows), [Col("qty", QUANTITY)], totals=[Decimal("93.5")])
    formats = [sheet.cell(row=row, column=1).number_format for row in range(2, 7)]

    assert formats == ["#,##0", "#,##0", "#,##0.###", "#,##0", "#,##0.###"]
