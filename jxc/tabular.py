"""Reading shop spreadsheets (.xlsx, or .csv saved by Excel) into checked rows.

Real files are messy: a title above the headers, blank rows, padded names, numbers
typed as text, full-width digits, ¥ signs. What is unambiguous is accepted; what is
not is refused with the row, the column and what was expected. Imports of the
catalog and of opening stock share this module.
"""

from __future__ import annotations

import bisect
import csv
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jxc.table_limits import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    TableError,
    too_many_columns,
)
from jxc.xlsx_reader import SheetProblems, sheet_rows

HEADER_SEARCH_ROWS = 20


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
    # Worth a look before importing, but not wrong: shown in the preview.
    warnings: list[RowError] = field(default_factory=list)


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
ZIP_MAGIC = b"PK"
# Files picked by mistake: pictures, PDFs, archives, programs.
BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x7fELF",
)
# Bytes no text file holds (tab, line feed and carriage return aside); in UTF-8 and
# GB18030 every byte of a multi-byte character is above them.
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_LINE = 256 * 1024  # characters in one line of a CSV file

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

    Raises TableError for a file that cannot be read as a whole. At most
    ``max_bytes`` are read, and rows are read one at a time until ``max_rows``, so
    a hostile file costs little time and memory before it is refused.
    """
    if upload.size > max_bytes:
        raise _too_large(upload.size, max_bytes)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    if not data.strip():
        raise TableError(_("The file is empty."))
    if data.startswith(XLS_MAGIC):
        raise TableError(
            _(
                "This is an old Excel 97-2003 (.xls) file. Open it in Excel, choose "
                "“Save as” and save it as .xlsx, then import that file."
            )
        )
    problems = None
    if data.startswith(ZIP_MAGIC):
        problems = SheetProblems()
        rows = sheet_rows(data, problems)
    elif data.startswith(BINARY_MAGIC):
        raise _not_a_spreadsheet()
    elif upload.name.lower().endswith((".xlsx", ".xlsm")):
        raise TableError(
            _(
                "This file is not a valid .xlsx workbook: it holds plain text, "
                "perhaps a CSV file. Name it .csv, or open it in Excel and save it "
                "as .xlsx."
            )
        )
    else:
        rows = _csv_rows(data)
    return _table(rows, columns, max_rows, problems)


def _too_large(size: int, max_bytes: int) -> TableError:
    return TableError(
        TOO_LARGE % {"size": f"{size / 1048576:.1f}", "limit": max_bytes // 1048576}
    )


def _not_a_spreadsheet() -> TableError:
    return TableError(
        _("This file is not a spreadsheet. Import an .xlsx file or a .csv file.")
    )


def _csv_rows(data: bytes) -> Iterator[tuple[int, dict[int, str]]]:
    """(record number, {position: text}) for each record, read as they come."""
    sample = data[:65536]
    if b"\x00" in data or len(CONTROL.findall(sample)) > len(sample) // 100:
        raise _not_a_spreadsheet()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError(_("The text encoding of this file is not recognised."))
    if not text.strip():
        raise TableError(_("The file is empty."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return _csv_records(text, dialect)


# A line with its ending, as a file opened with newline="" gives it; a match at a
# time, where io.StringIO would first copy the text at four bytes a character.
LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


def _csv_records(text: str, dialect) -> Iterator[tuple[int, dict[int, str]]]:
    def lines():
        for number, match in enumerate(LINE.finditer(text), start=1):
            line = match.group()
            if len(line) > MAX_LINE:
                raise TableError(
                    _(
                        "Line %(line)d of the file is longer than %(max)s "
                        "characters; no shop spreadsheet has such lines."
                    )
                    % {"line": number, "max": f"{MAX_LINE:,}"}
                )
            yield line

    try:
        for number, record in enumerate(csv.reader(lines(), dialect), start=1):
            if len(record) > MAX_COLUMNS:
                raise too_many_columns(number)
            yield (
                number,
                {position: value for position, value in enumerate(record) if value},
            )
    except csv.Error as error:
        raise TableError(
            _("This CSV file cannot be read: %(error)s") % {"error": error}
        ) from error


def too_many_rows(max_rows: int) -> TableError:
    return TableError(
        _("The file has more than %(max)s rows. Split it into several files.")
        % {"max": f"{max_rows:,}"}
    )


def _table(
    rows: Iterator[tuple[int, dict[int, object]]],
    columns: list[Column],
    max_rows: int,
    problems=None,
) -> Table:
    """The header row among the first rows, then each data row's known columns.

    Rows are consumed one at a time and reading stops at the first row past the
    limit: a file of a million rows is refused after reading about ``max_rows``.
    The sheet's formulas and merged cells (``problems``, from the .xlsx reader)
    become row errors where they touch the header or a data row.
    """
    by_name = {name: column for column in columns for name in column.names()}
    positions: dict[int, Column] | None = None
    header_row = 0
    data = []
    for number, cells in rows:
        if number > max_rows + HEADER_SEARCH_ROWS:
            raise too_many_rows(max_rows)
        if positions is None:
            if number > HEADER_SEARCH_ROWS:
                break
            if sum(1 for value in cells.values() if fold_header(value) in by_name) >= 2:
                positions = _header(cells, columns, by_name)
                header_row = number
            continue
        values = {
            column.key: cells.get(position) for position, column in positions.items()
        }
        if all(is_blank(value) for value in values.values()):
            continue
        data.append((number, values))
        if len(data) > max_rows:
            raise too_many_rows(max_rows)
    if positions is None:
        expected = ", ".join(column.header for column in columns if column.required)
        raise TableError(
            _(
                "No header row found. The first row must name the columns, such as: "
                "%(columns)s."
            )
            % {"columns": expected}
        )
    if not data:
        raise TableError(_("The file has a header row but no data rows."))
    seen = {column.key for column in positions.values()}
    present = [column for column in columns if column.key in seen]
    table = Table(columns=present, rows=data)
    if problems is not None:
        table.errors.extend(_sheet_errors(problems, positions, header_row, data))
    return table


def _sheet_errors(problems, positions, header_row: int, data) -> list[RowError]:
    """Formulas in the columns read, and merged ranges over the header or a data
    row, as row errors. Merged cells in a title or blank row harm nothing."""
    used = {header_row} | {number for number, _values in data}
    errors = []
    for formula in problems.formulas:
        column = positions.get(formula.column)
        if column is None or formula.row not in used:
            continue
        if formula.shown is None or formula.shown == "":
            shown = _("the file keeps no value for it")
        else:
            shown = _("Excel shows %(value)s") % {"value": formula.shown}
        errors.append(
            RowError(
                formula.row,
                column.header,
                _("cell %(cell)s holds a formula (%(formula)s); %(shown)s")
                % {"cell": formula.address, "formula": formula.formula, "shown": shown},
                _("a value: copy the sheet and paste it as values only"),
            )
        )
    ordered = sorted(used)
    for ref, first, last in problems.merged:
        at = bisect.bisect_left(ordered, first)
        if at < len(ordered) and ordered[at] <= last:
            errors.append(
                RowError(
                    first,
                    ref,
                    _("merged cells (%(cells)s)") % {"cells": ref},
                    _("one value in each cell: unmerge them"),
                )
            )
    return errors


def _header(cells: dict[int, object], columns, by_name) -> dict[int, Column]:
    """Position → column for the header row; a repeated or missing column refuses."""
    positions: dict[int, Column] = {}
    seen: set[str] = set()
    for position, value in sorted(cells.items()):
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
    return positions


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
