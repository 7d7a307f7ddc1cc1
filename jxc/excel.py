"""Writing .xlsx files: properly formatted, formula-safe, fast for large exports.

Every app's exports use this one writer (catalog may import no other app, so it
lives in the project package). It makes no queries but one, for the shop's name
in the title row (``xlsx_response``): callers pass rows.

Every file opens and prints the same way: a title row "店名 · 报表名 · 期间", the
header row frozen and repeated on every printed page, landscape and one page
wide; whole quantities without a decimal point ("44", not "44."), shares as
0.0 %; a chart (``Sheet.chart``) on a sheet of its own, of the points it is
given (the top 15 by value), one series without a legend, both axes shown.

Text is always stored as text: a product named ``=HYPERLINK(...)`` is written as
those characters, never as a formula Excel would run.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEXT, MONEY, QUANTITY, COST, INTEGER, DATE, DATETIME, PERCENT = (
    "text", "money", "quantity", "cost", "integer", "date", "datetime", "percent",
)  # fmt: skip
# A quantity with decimals; a whole one takes WHOLE_QUANTITY's format (Excel's
# "#,##0.###" would show 44 as "44.").
WHOLE_QUANTITY = "quantity_whole"
NUMBER_FORMATS = {
    MONEY: '"¥"#,##0.00',
    QUANTITY: "#,##0.###",
    WHOLE_QUANTITY: "#,##0",
    PERCENT: "0.0%",
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
    PERCENT: 9,
}
CHART_POINTS = 15


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
    caption: str = ""  # the title row above the headers (xlsx_response makes it)
    chart: Chart | None = None


@dataclass(frozen=True)
class Chart:
    """A bar chart on a sheet of its own: one series of (label, value) points, the
    largest first (callers pick them: the top CHART_POINTS by value)."""

    title: str
    label: str
    value: str
    points: Sequence[tuple[str, object]]
    kind: str = MONEY


def top_points(rows, label, value, count: int = CHART_POINTS) -> list[tuple]:
    """The ``count`` rows with the largest value(row), as (label(row), value(row)),
    the largest first; rows without a value are left out."""
    valued = [(value(row), row) for row in rows]
    valued = [(amount, row) for amount, row in valued if amount]
    valued.sort(key=lambda pair: pair[0], reverse=True)
    return [(str(label(row)), amount) for amount, row in valued[:count]]


def title_line(*parts) -> str:
    """ "店名 · 报表名 · 期间": the parts given, the empty ones left out."""
    return " · ".join(str(part) for part in parts if part)


def shop_name() -> str:
    """The shop's name as its profile has it (catalog.ShopProfile), else
    JXC_SHOP_NAME; empty when neither names it (the title row leaves it out)."""
    profile = apps.get_model("catalog", "ShopProfile")
    name = profile.objects.values_list("name", flat=True).first()
    return name or settings.JXC_SHOP_NAME


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
        value = _text(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    if kind == QUANTITY and _is_whole(value):
        kind = WHOLE_QUANTITY
    cell._style = styles[f"jxc_{kind}_total" if total else f"jxc_{kind}"]
    return cell


def _text(value: str) -> str:
    """Text as a cell can hold it: control characters Excel refuses go (only
    looked for when the text has something unprintable), at most 32,767."""
    if not value.isprintable():
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value[:EXCEL_CELL_LIMIT]


class _ColumnCell(Cell):
    """The one cell object a column reuses for every row of a big sheet: its
    style (the column's named style) is resolved to an id once, not per cell."""

    __slots__ = ("_style_id",)
    has_style = True

    @property
    def style_id(self):
        return self._style_id


class _PlainCell(Cell):
    """A body cell that needs no style (text): written without an "s" attribute."""

    __slots__ = ()
    has_style = False


# The cell type of each plain value; anything else is written as its text.
_DATA_TYPES = {
    str: "s",
    int: "n",
    float: "n",
    Decimal: "n",
    bool: "b",
    date: "d",
    datetime: "d",
}


def _body_writer(sheet, kinds: list[str], styles: _Styles):
    """What the write-only sheet calls to turn one body row of values into cells.

    openpyxl writes each cell as soon as it is yielded, so one styled cell per
    column is filled and yielded again for every row: no cell object, style copy
    or type sniffing per value. Text stays text (data type "s"): a value that
    starts with = + - @ is never a formula.
    """
    cells = []
    # Quantity columns: (cell, the style id of a fraction, of a whole number).
    quantities = {}
    for index, kind in enumerate(kinds, start=1):
        if kind == TEXT:
            # Stored as a string already: the "@" format would only add an
            # attribute to every text cell of the file.
            cell = _PlainCell(sheet, row=1, column=index)
        else:
            cell = _ColumnCell(sheet, row=1, column=index)
            cell._style = styles[f"jxc_{kind}"]
            cell._style_id = sheet.parent._cell_styles.add(cell._style)
            if kind == QUANTITY:
                whole = sheet.parent._cell_styles.add(styles[f"jxc_{WHOLE_QUANTITY}"])
                quantities[cell] = (cell._style_id, whole)
        cells.append(cell)
    local = timezone.get_current_timezone()
    data_types = _DATA_TYPES

    def values_to_row(values, row_idx):
        for cell, value in zip(cells, values, strict=True):
            if value is None:
                continue
            data_type = data_types.get(value.__class__)
            if data_type is None:
                value, data_type = _coerce(value)
            if data_type == "s":
                value = _text(value)
            elif data_type == "d" and getattr(value, "tzinfo", None) is not None:
                value = value.astimezone(local).replace(tzinfo=None)
            elif cell in quantities:
                cell._style_id = quantities[cell][_is_whole(value)]
            cell._value = value
            cell.data_type = data_type
            cell.row = row_idx
            yield cell

    return values_to_row


def _is_whole(value) -> bool:
    try:
        return value % 1 == 0
    except TypeError:
        return False


def _coerce(value):
    """A value of a less common type: a number stays a number, a date a date,
    everything else (lazy translations, enums) is written as its text."""
    if isinstance(value, bool):
        return value, "b"
    if isinstance(value, (int, float, Decimal)):
        return value, "n"
    if isinstance(value, (date, datetime)):
        return value, "d"
    return str(value), "s"


def _add_chart_sheet(workbook: Workbook, spec: Chart) -> None:
    """The chart's points as a small table and a horizontal bar chart beside it,
    on a sheet of their own: the report's sheet keeps printing one page wide."""
    title = _sheet_title(spec.title)
    sheet = workbook.create_sheet(title=title)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = WIDTHS.get(spec.kind, 13)
    _print_setup(sheet, header_row=1)
    styles = _Styles(sheet)
    header = []
    for text in (spec.label, spec.value):
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.data_type = "s"
        cell.style = "jxc_header"
        header.append(cell)
    sheet.append(header)
    for label, value in spec.points:
        sheet.append(
            [
                _cell(sheet, str(label), TEXT, styles),
                _cell(sheet, value, spec.kind, styles),
            ]
        )
    count = len(spec.points)
    chart = BarChart()
    chart.type = "bar"  # horizontal: long product names stay readable
    chart.title = str(spec.title)
    chart.legend = None  # one series: the title says what it is
    chart.height, chart.width = max(7.5, 0.6 * count + 2), 18
    chart.add_data(
        Reference(sheet, min_col=2, min_row=1, max_row=count + 1), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=count + 1))
    # openpyxl marks both axes deleted unless told: Excel then draws none.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.scaling.orientation = "maxMin"  # the largest at the top
    chart.y_axis.crosses = "max"  # and the value axis below the bars
    chart.y_axis.number_format = NUMBER_FORMATS[spec.kind]
    sheet.add_chart(chart, "D2")


def _sheet_title(title: str) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(title))
    return clean[:31] or "Sheet"


def _print_setup(sheet, *, header_row: int) -> None:
    """Landscape, one page wide (as many tall as it takes), the header row on
    every printed page."""
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    """The .xlsx file for these sheets: header row frozen, filters, widths, formats."""
    workbook = Workbook(write_only=True)
    _styles(workbook)
    for spec in sheets:
        sheet = workbook.create_sheet(title=_sheet_title(spec.title))
        for index, column in enumerate(spec.columns, start=1):
            width = column.width or max(WIDTHS[column.kind], len(column.header) * 2 + 2)
            sheet.column_dimensions[get_column_letter(index)].width = width
        # Write-only sheets take their settings before the first row is written.
        first_row = 2 if spec.caption else 1
        sheet.freeze_panes = f"A{first_row + 1}"
        _print_setup(sheet, header_row=first_row)
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
        # Body rows go through the fast per-column cells; the caption, header
        # and totals rows (cells of their own) through openpyxl's own path.
        sheet._values_to_row = _body_writer(sheet, kinds, styles)
        for row in spec.rows:
            sheet.append(row if isinstance(row, (list, tuple)) else list(row))
            count += 1
        del sheet._values_to_row
        if spec.totals is not None:
            sheet.append(
                [
                    _cell(sheet, value, kind, styles, total=True)
                    for value, kind in zip(spec.totals, kinds, strict=True)
                ]
            )
        sheet.auto_filter.ref = f"A{first_row}:{last}{first_row + count}"
        if spec.chart and spec.chart.points:
            _add_chart_sheet(workbook, spec.chart)
    if not sheets:
        workbook.create_sheet()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    sheets: list[Sheet],
    filename: str,
    *,
    dated: bool = True,
    period: str = "",
    titled: bool = True,
) -> HttpResponse:
    """An attachment download of the workbook, named e.g. 商品资料_20261126.xlsx
    (``dated``: today's date is added; reports name their own period).

    ``titled``: each sheet without a caption gets the title row "店名 · sheet
    title · period" (``period``: the report's, else today's date); an import
    template, a form to fill in, gets none.
    """
    stamp = timezone.localdate().strftime("%Y%m%d")
    if titled:
        shop = shop_name()
        when = period or f"{timezone.localdate():%Y-%m-%d}"
        for sheet in sheets:
            if not sheet.caption:
                sheet.caption = title_line(shop, sheet.title, when)
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX_TYPE)
    name = f"{filename}_{stamp}.xlsx" if dated else f"{filename}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"export_{stamp}.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response
