"""Reading shop spreadsheets (.xlsx, or .csv saved by Excel) into checked rows.

Real files are messy: a title above the headers, blank rows, padded names, numbers
typed as text, full-width digits, ¥ signs. What is unambiguous is accepted; what is
not is refused with the row, the column and what was expected. Imports of the
catalog and of opening stock share this module.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 20


class TableError(Exception):
    """The file as a whole cannot be read; nothing in it is imported."""


class CellError(ValueError):
    """One value is wrong: the message says what was expected."""


@dataclass(frozen=True)
class Column:
    """A column an import takes: its key, its header names, how to read a value."""

    key: str
    label: str  # the Chinese header, used in templates and exports
    english: str
    parse: Callable[[object], object]
    required: bool = False
    expected: str = ""

    def names(self) -> set[str]:
        return {fold_header(self.label), fold_header(self.english)}

    @property
    def header(self) -> str:
        """The column's name in the interface language (messages, templates)."""
        return (
            self.label if translation.get_language().startswith("zh") else self.english
        )


@dataclass
class RowError:
    row: int
    column: str
    problem: str
    expected: str = ""


@dataclass
class Table:
    columns: list[Column]  # the known columns present in the file
    rows: list[tuple[int, dict[str, object]]]  # (row number in the file, raw values)
    errors: list[RowError] = field(default_factory=list)


def fold(value: str) -> str:
    """Full-width to half-width (２０ → 20, ＡＢ → AB), surrounding blanks removed."""
    return unicodedata.normalize("NFKC", value).strip()


def fold_header(value) -> str:
    return re.sub(r"[\s*＊]", "", fold(str(value or ""))).lower()


# --- value parsers ----------------------------------------------------------------


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not fold(value))


def parse_text(max_length: int) -> Callable[[object], str]:
    def parse(value) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = " ".join(str(value).split()) if isinstance(value, str) else str(value)
        text = text.strip()
        if len(text) > max_length:
            raise CellError(
                _("too long (%(length)d characters)") % {"length": len(text)}
            )
        return text

    return parse


SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")


def parse_code(max_length: int) -> Callable[[object], str]:
    """A code or barcode: digits Excel stored as a number become text again."""

    def parse(value) -> str:
        if isinstance(value, bool):
            raise CellError(_("not a code"))
        if isinstance(value, float):
            if not value.is_integer():
                raise CellError(_("a code cannot be a decimal number"))
            value = int(value)
        text = fold(str(value)) if value is not None else ""
        if SCIENTIFIC.match(text):
            raise CellError(
                _(
                    "Excel turned this code into a number (%(text)s); format the "
                    "column as text and type it again"
                )
                % {"text": text}
            )
        if len(text) > max_length:
            raise CellError(
                _("too long (%(length)d characters)") % {"length": len(text)}
            )
        return text

    return parse


GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_decimal(places: int, maximum: Decimal) -> Callable[[object], Decimal]:
    """A non-negative number with at most ``places`` decimals, up to ``maximum``."""

    def parse(value) -> Decimal:
        if isinstance(value, (bool, date, datetime)):
            raise CellError(_("not a number"))
        if isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        else:
            text = fold(str(value)).replace(" ", "")
            text = text.removeprefix("¥").removeprefix("￥").removesuffix("元")
            if "," in text:
                if not GROUPED.match(text):
                    raise CellError(_("not a number"))
                text = text.replace(",", "")
            try:
                number = Decimal(text)
            except InvalidOperation as error:
                raise CellError(_("not a number")) from error
        if not number.is_finite():
            raise CellError(_("not a number"))
        if number < 0:
            raise CellError(_("cannot be negative"))
        if number > maximum:
            raise CellError(_("too large (at most %(max)s)") % {"max": f"{maximum:,}"})
        if -number.normalize().as_tuple().exponent > places:
            raise CellError(
                _("too many decimals (at most %(places)d)") % {"places": places}
            )
        return number.quantize(Decimal(1).scaleb(-places))

    return parse


def parse_int(maximum: int) -> Callable[[object], int]:
    decimal = parse_decimal(0, Decimal(maximum))

    def parse(value) -> int:
        return int(decimal(value))

    return parse


TRUE_WORDS = {"是", "启用", "有效", "yes", "y", "true", "1", "active", "√"}
FALSE_WORDS = {"否", "停用", "无效", "no", "n", "false", "0", "inactive", "×"}


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    word = fold(str(value)).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("not understood"))


# --- reading files -----------------------------------------------------------------

XLS_MAGIC = b"\xd0\xcf\x11\xe0"
ZIP_MAGIC = b"PK\x03\x04"

TOO_LARGE = gettext_lazy(
    "The file is too large (%(size)s MB). Files of at most %(limit)s MB can be "
    "imported; "
    "split it into several files."
)


def read_upload(
    upload,
    columns: list[Column],
    *,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> Table:
    """Find the header row, map the known columns and collect the data rows.

    Raises TableError for a file that cannot be read as a whole.
    """
    if upload.size > max_bytes:
        raise TableError(
            TOO_LARGE
            % {"size": f"{upload.size / 1048576:.1f}", "limit": max_bytes // 1048576}
        )
    data = upload.read(max_bytes + 1)
    if not data.strip():
        raise TableError(_("The file is empty."))
    if data.startswith(XLS_MAGIC):
        raise TableError(
            _(
                "This is an old Excel 97-2003 (.xls) file. Open it in Excel, choose "
                "“Save as” and save it as .xlsx, then import that file."
            )
        )
    if data.startswith(ZIP_MAGIC):
        grid = _xlsx_rows(data, max_rows)
    elif upload.name.lower().endswith((".xlsx", ".xlsm")):
        raise TableError(_("This file is not a valid .xlsx workbook."))
    else:
        grid = _csv_rows(data, max_rows)
    return _table(grid, columns, max_rows)


def _xlsx_rows(data: bytes, max_rows: int) -> list[list]:
    import openpyxl

    try:
        # A cheap look at the declared size first: a small, highly compressed file
        # must not be unpacked whole before its row count is refused.
        probe = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        declared_rows = probe.worksheets[0].max_row or 0
        probe.close()
        if declared_rows > max_rows + HEADER_SEARCH_ROWS:
            raise _too_many_rows(max_rows)
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except TableError:
        raise
    except Exception as error:  # noqa: BLE001 - any unreadable workbook is one message
        raise TableError(_("This file is not a valid .xlsx workbook.")) from error
    sheet = workbook.worksheets[0]
    if sheet.merged_cells.ranges:
        cells = ", ".join(str(r) for r in list(sheet.merged_cells.ranges)[:5])
        raise TableError(
            _(
                "The sheet “%(sheet)s” has merged cells (%(cells)s). Unmerge them so "
                "each "
                "value stands in its own cell, then import again."
            )
            % {"sheet": sheet.title, "cells": cells}
        )
    if sheet.max_row > max_rows + HEADER_SEARCH_ROWS:
        raise _too_many_rows(max_rows)
    grid = []
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                raise TableError(
                    _(
                        "Cell %(cell)s holds a formula (%(formula)s). Copy the sheet "
                        "and "
                        "paste it as values only, then import again."
                    )
                    % {"cell": cell.coordinate, "formula": str(cell.value)[:40]}
                )
        grid.append([cell.value for cell in row])
    return grid


def _csv_rows(data: bytes, max_rows: int) -> list[list]:
    if b"\x00" in data:
        raise TableError(
            _("This file is not a spreadsheet. Import an .xlsx file or a .csv file.")
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly every byte string
        raise TableError(_("The text encoding of this file is not recognised."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        grid = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as error:
        raise TableError(
            _("This CSV file cannot be read: %(error)s") % {"error": error}
        ) from error
    if len(grid) > max_rows + HEADER_SEARCH_ROWS:
        raise _too_many_rows(max_rows)
    return grid


def _too_many_rows(max_rows: int) -> TableError:
    return TableError(
        _("The file has more than %(max)s rows. Split it into several files.")
        % {"max": f"{max_rows:,}"}
    )


def _table(grid: list[list], columns: list[Column], max_rows: int) -> Table:
    by_name = {name: column for column in columns for name in column.names()}
    header_index = None
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if sum(1 for value in row if fold_header(value) in by_name) >= 2:
            header_index = index
            break
    if header_index is None:
        expected = ", ".join(column.header for column in columns if column.required)
        raise TableError(
            _(
                "No header row found. The first row must name the columns, such as: "
                "%(columns)s."
            )
            % {"columns": expected}
        )
    positions: dict[int, Column] = {}
    seen: set[str] = set()
    for position, value in enumerate(grid[header_index]):
        column = by_name.get(fold_header(value))
        if column is None:
            continue
        if column.key in seen:
            raise TableError(
                _("The column “%(column)s” appears twice.") % {"column": column.header}
            )
        seen.add(column.key)
        positions[position] = column
    missing = [
        column.label for column in columns if column.required and column.key not in seen
    ]
    if missing:
        raise TableError(
            _("Required columns are missing: %(columns)s.")
            % {"columns": "、".join(missing)}
        )
    rows = []
    for offset, row in enumerate(grid[header_index + 1 :], start=header_index + 2):
        values = {
            column.key: row[position] if position < len(row) else None
            for position, column in positions.items()
        }
        if all(is_blank(value) for value in values.values()):
            continue
        rows.append((offset, values))
    if not rows:
        raise TableError(_("The file has a header row but no data rows."))
    if len(rows) > max_rows:
        raise _too_many_rows(max_rows)
    present = [column for column in columns if column.key in seen]
    return Table(columns=present, rows=rows)


def parse_rows(table: Table) -> list[tuple[int, dict]]:
    """Each row's values read by its column's parser; problems go to table.errors.

    A blank cell is left out of the row (the import decides what blank means);
    a blank required cell is an error.
    """
    parsed = []
    for number, raw in table.rows:
        values = {}
        for column in table.columns:
            value = raw.get(column.key)
            if is_blank(value):
                if column.required:
                    table.errors.append(
                        RowError(number, column.header, _("required"), column.expected)
                    )
                continue
            try:
                values[column.key] = column.parse(value)
            except CellError as error:
                table.errors.append(
                    RowError(number, column.header, str(error), column.expected)
                )
        parsed.append((number, values))
    return parsed
