"""Writing .xlsx files: properly formatted, formula-safe, fast for large exports.

Every app's exports use this one writer (catalog may import no other app, so it
lives in the project package). It makes no queries: callers pass rows.

Text is always stored as text: a product named ``=HYPERLINK(...)`` is written as
those characters, never as a formula Excel would run.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEXT, MONEY, QUANTITY, COST, INTEGER, DATE, DATETIME = (
    "text", "money", "quantity", "cost", "integer", "date", "datetime",
)  # fmt: skip
NUMBER_FORMATS = {
    MONEY: '"¥"#,##0.00',
    QUANTITY: "#,##0.###",
    COST: '"¥"#,##0.0000',
    INTEGER: "#,##0",
    DATE: "yyyy-mm-dd",
    DATETIME: "yyyy-mm-dd hh:mm",
    TEXT: "@",
}
EXCEL_CELL_LIMIT = 32_767
WIDTHS = {
    TEXT: 16,
    MONEY: 13,
    QUANTITY: 11,
    COST: 13,
    INTEGER: 9,
    DATE: 12,
    DATETIME: 17,
}


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = TEXT
    width: int | None = None


@dataclass
class Sheet:
    title: str
    columns: list[Col]
    rows: Iterable[Iterable]
    totals: list | None = None  # one value (or None) per column, written in bold
    caption: str = ""  # a title row above the headers: shop, report and period
    chart: dict | None = None  # {"title", "category": col, "values": [col, ...]}


def _styles(workbook: Workbook) -> None:
    thin = Side(style="thin", color="999999")
    header = NamedStyle(
        name="jxc_header",
        font=Font(bold=True),
        fill=PatternFill("solid", fgColor="DDEBF7"),
        border=Border(bottom=thin),
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
    )
    workbook.add_named_style(header)
    for kind, number_format in NUMBER_FORMATS.items():
        workbook.add_named_style(
            NamedStyle(name=f"jxc_{kind}", number_format=number_format)
        )
        workbook.add_named_style(
            NamedStyle(
                name=f"jxc_{kind}_total",
                number_format=number_format,
                font=Font(bold=True),
                border=Border(top=thin),
            )
        )


class _Styles:
    """Each named style resolved once per sheet; cells then take a copy of its
    style array (assigning a style by name per cell searches the workbook's
    named styles every time: most of the writing time on big exports)."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.arrays = {}

    def __getitem__(self, name: str):
        if name not in self.arrays:
            probe = WriteOnlyCell(self.sheet)
            probe.style = name
            self.arrays[name] = probe._style
        return copy(self.arrays[name])


def _cell(
    sheet, value, kind: str, styles: _Styles, total=False
) -> WriteOnlyCell | None:
    if value is None and not total:
        return None  # an empty cell needs neither a cell object nor a style
    if isinstance(value, datetime):
        value = (
            timezone.localtime(value).replace(tzinfo=None)
            if timezone.is_aware(value)
            else value
        )
    if isinstance(value, str):
        # Control characters Excel refuses go; a cell holds at most 32,767.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_CELL_LIMIT]
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    cell._style = styles[f"jxc_{kind}_total" if total else f"jxc_{kind}"]
    return cell


def _add_chart(sheet, spec: Sheet, first_row: int, count: int) -> None:
    """A native Excel bar chart of some columns, beside the table."""
    chart = BarChart()
    chart.title = spec.chart["title"]
    chart.height, chart.width = 9, 18
    last_row = first_row + min(count, 30)
    for column in spec.chart["values"]:
        chart.add_data(
            Reference(sheet, min_col=column, min_row=first_row, max_row=last_row),
            titles_from_data=True,
        )
    category = spec.chart["category"]
    chart.set_categories(
        Reference(sheet, min_col=category, min_row=first_row + 1, max_row=last_row)
    )
    sheet.add_chart(chart, f"{get_column_letter(len(spec.columns) + 2)}{first_row}")


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    """The .xlsx file for these sheets: header row frozen, filters, widths, formats."""
    workbook = Workbook(write_only=True)
    _styles(workbook)
    for spec in sheets:
        title = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(spec.title))
        sheet = workbook.create_sheet(title=title[:31] or "Sheet")
        for index, column in enumerate(spec.columns, start=1):
            width = column.width or max(WIDTHS[column.kind], len(column.header) * 2 + 2)
            sheet.column_dimensions[get_column_letter(index)].width = width
        # Write-only sheets take their settings before the first row is written.
        first_row = 2 if spec.caption else 1
        sheet.freeze_panes = f"A{first_row + 1}"
        if spec.caption:
            title = WriteOnlyCell(sheet, value=spec.caption)
            title.data_type = "s"
            title.font = Font(bold=True, size=13)
            sheet.append([title])
        last = get_column_letter(len(spec.columns))
        count = 0
        header = []
        for column in spec.columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.data_type = "s"
            cell.style = "jxc_header"
            header.append(cell)
        sheet.append(header)
        kinds = [column.kind for column in spec.columns]
        styles = _Styles(sheet)
        for row in spec.rows:
            sheet.append(
                [
                    _cell(sheet, value, kind, styles)
                    for value, kind in zip(row, kinds, strict=True)
                ]
            )
            count += 1
        if spec.totals is not None:
            sheet.append(
                [
                    _cell(sheet, value, kind, styles, total=True)
                    for value, kind in zip(spec.totals, kinds, strict=True)
                ]
            )
        sheet.auto_filter.ref = f"A{first_row}:{last}{first_row + count}"
        if spec.chart and count:
            _add_chart(sheet, spec, first_row, count)
        sheet.print_title_rows = f"{first_row}:{first_row}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
    if not sheets:
        workbook.create_sheet()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    sheets: list[Sheet], filename: str, *, dated: bool = True
) -> HttpResponse:
    """An attachment download of the workbook, named e.g. 商品资料_20261126.xlsx
    (``dated``: today's date is added; reports name their own period)."""
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX_TYPE)
    name = f"{filename}_{stamp}.xlsx" if dated else f"{filename}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"export_{stamp}.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response
