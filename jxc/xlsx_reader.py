"""The first sheet of an uploaded .xlsx, read row by row within fixed limits.

An upload is untrusted. The zip directory is checked before anything is unpacked
(number of parts, unpacked size, packing ratio), and the sheet is streamed: each
row is handed on and dropped, so a zip bomb, a sheet of a million rows or a row of
a million cells is refused after reading little, in bounded memory. openpyxl
does not read uploads: its normal mode holds every cell (about 110 MB for a full
20,000-row sheet), and its read-only mode pads each row to the size the file
declares and, when a sheet declares none, parses all of it before the first row.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from jxc.table_limits import MAX_COLUMNS, TableError, too_many_columns

MAX_PARTS = 1_000  # a workbook has a dozen or so; a zip of many files is no sheet
MAX_UNPACKED = 100 * 1024 * 1024  # a full 5 MB workbook unpacks to about 70 MB
MAX_RATIO = 100  # sheets pack 5-20 to 1; a zip bomb packs about 1,000 to 1
RATIO_FLOOR = 1024 * 1024  # small parts may pack as tightly as they like
MAX_SMALL_PART = 16 * 1024 * 1024  # workbook, relationships, styles: read whole
MAX_SHARED_STRINGS = 400_000
MAX_COLUMN_INDEX = 16_384  # XFD, Excel's last column
MAX_CELL_TEXT = 32_767  # Excel's own limit for the text of one cell
# The text all cells of the sheet may expand to. A cell names a shared string by
# number, so a small file can make 180,000 cells of one 4 MB text; a full sheet of
# 20,000 rows × 50 columns of 30 characters is 30 million.
MAX_SHEET_TEXT = 40_000_000
MAX_MERGED_LISTED = 200

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
# What a damaged or hand-made archive raises while a part is unpacked or parsed.
UNREADABLE = (
    KeyError,
    ValueError,
    EOFError,
    OSError,
    RuntimeError,  # encrypted
    NotImplementedError,  # an unknown compression method
    zlib.error,
    zipfile.BadZipFile,
    etree.XMLSyntaxError,
)


@dataclass
class Formula:
    """A cell that holds a formula: its address, the formula and the value Excel
    showed when it last saved the file (None when the file keeps none)."""

    row: int
    column: int  # position, from 0
    address: str
    formula: str
    shown: object


@dataclass
class SheetProblems:
    """What the sheet holds that an import cannot take, found while it is read;
    the table reader decides which of them touch the data rows."""

    formulas: list[Formula] = field(default_factory=list)
    merged: list[tuple[str, int, int]] = field(default_factory=list)  # ref, rows


def cell_address(row: int, position: int) -> str:
    letters, number = "", position + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def invalid() -> TableError:
    return TableError(_("This file is not a valid .xlsx workbook."))


def _parser_options() -> dict:
    # No DTDs, no entities, no network: a workbook needs none of them.
    return {"resolve_entities": False, "no_network": True, "huge_tree": False}


def open_archive(data: bytes) -> zipfile.ZipFile:
    """The zip behind an .xlsx, refused from its directory alone when hostile."""
    # The part count comes from the end-of-directory record, before zipfile
    # builds an object for every entry of a directory that may hold 100,000.
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        raise invalid()
    parts = int.from_bytes(data[end + 10 : end + 12], "little")
    directory_size = int.from_bytes(data[end + 12 : end + 16], "little")
    if parts > MAX_PARTS or directory_size > MAX_PARTS * 1024:
        raise _too_many_parts(parts)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except UNREADABLE as error:
        raise invalid() from error
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise _too_many_parts(len(infos))
    unpacked = sum(info.file_size for info in infos)
    packed_tight = any(
        info.file_size > RATIO_FLOOR
        and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        for info in infos
    )
    if unpacked > MAX_UNPACKED or packed_tight:
        raise TableError(
            _(
                "This .xlsx file is not read: it would unpack to %(size)s MB, "
                "packed far more tightly or far larger than any shop spreadsheet. "
                "Open it in Excel and save the sheet to import as a new file."
            )
            % {"size": f"{unpacked / 1048576:,.1f}"}
        )
    return archive


def _too_many_parts(parts: int) -> TableError:
    return TableError(
        _(
            "This file holds %(parts)s packed files, which no Excel workbook does. "
            "Open it in Excel and save the sheet to import as a new .xlsx file."
        )
        % {"parts": f"{parts:,}"}
    )


def _small_part(archive: zipfile.ZipFile, name: str):
    """A part read whole (workbook, relationships, styles): it must be small."""
    try:
        info = archive.getinfo(name)
        if info.file_size > MAX_SMALL_PART:
            raise invalid()
        return etree.fromstring(
            archive.read(info), etree.XMLParser(**_parser_options())
        )
    except UNREADABLE as error:
        raise invalid() from error


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple]:
    """Id → (type, part name) for the relationships of ``part``."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in archive.NameToInfo:
        return {}
    found = {}
    for rel in _small_part(archive, rels_name).iter(PACKAGE_REL + "Relationship"):
        target = rel.get("Target", "")
        if target.startswith("/"):
            target = target[1:]
        else:
            target = posixpath.normpath(posixpath.join(folder, target))
        found[rel.get("Id")] = (rel.get("Type", "").rsplit("/", 1)[-1], target)
    return found


def sheet_rows(
    data: bytes, problems: SheetProblems | None = None
) -> Iterator[tuple[int, dict[int, object]]]:
    """(row number, {column position: value}) for each row of the first sheet.

    Raises TableError for a hostile or unreadable file, a text longer than Excel
    allows, a sheet whose text expands past MAX_SHEET_TEXT or a row wider than
    MAX_COLUMNS. Formulas (read as the value Excel showed) and merged ranges go
    to ``problems`` as they are found; the caller stops reading at its row limit.
    """
    problems = problems if problems is not None else SheetProblems()
    archive = open_archive(data)
    package = _relationships(archive, "")
    workbook_part = next(
        (part for kind, part in package.values() if kind == "officeDocument"), None
    )
    if workbook_part is None:
        raise invalid()
    workbook = _small_part(archive, workbook_part)
    parts = _relationships(archive, workbook_part)
    sheet = next(
        (
            (element.get("name", ""), parts[element.get(REL + "id")][1])
            for element in workbook.iter(MAIN + "sheet")
            if parts.get(element.get(REL + "id"), ("",))[0] == "worksheet"
        ),
        None,
    )
    if sheet is None:
        raise invalid()
    properties = workbook.find(MAIN + "workbookPr")
    mac_1904 = properties is not None and properties.get("date1904") in ("1", "true")
    by_kind = dict(parts.values())
    strings = _shared_strings(archive, by_kind.get("sharedStrings"))
    date_styles = _date_styles(archive, by_kind.get("styles"))
    reader = _SheetReader(
        strings=strings,
        date_styles=date_styles,
        epoch=CALENDAR_MAC_1904 if mac_1904 else CALENDAR_WINDOWS_1900,
        title=sheet[0],
        problems=problems,
    )
    try:
        with archive.open(sheet[1]) as source:
            yield from reader.rows(source)
    except UNREADABLE as error:
        raise invalid() from error


def _stream(source, tag):
    """Elements ending with ``tag``, each dropped with what came before it."""
    for _event, element in etree.iterparse(
        source, events=("end",), tag=tag, **_parser_options()
    ):
        yield element
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]


def _text(element) -> str:
    """A string item's text: its runs, without phonetic (rPh) hints."""
    return "".join(
        t.text or ""
        for t in element.iter(MAIN + "t")
        if t.getparent().tag != MAIN + "rPh"
    )


def _shared_strings(archive: zipfile.ZipFile, part: str | None) -> list[str]:
    if part is None:
        return []
    strings = []
    try:
        with archive.open(part) as source:
            for item in _stream(source, MAIN + "si"):
                if len(strings) >= MAX_SHARED_STRINGS:
                    raise TableError(
                        _(
                            "This workbook holds more than %(max)s different texts. "
                            "Save the sheet to import as a new file, or split it."
                        )
                        % {"max": f"{MAX_SHARED_STRINGS:,}"}
                    )
                text = _text(item).replace("x005F_", "")
                if len(text) > MAX_CELL_TEXT:
                    raise _text_too_long()
                strings.append(text)
    except UNREADABLE as error:
        raise invalid() from error
    return strings


def _text_too_long() -> TableError:
    return TableError(
        _(
            "A cell of this file holds more than %(max)s characters, more than Excel "
            "itself allows in a cell. Open it in Excel and save the sheet to import "
            "as a new file."
        )
        % {"max": f"{MAX_CELL_TEXT:,}"}
    )


def _date_styles(archive: zipfile.ZipFile, part: str | None) -> set[int]:
    """Indexes of the cell styles whose number format shows a date."""
    if part is None:
        return set()
    styles = _small_part(archive, part)
    formats = dict(BUILTIN_FORMATS)
    for number_format in styles.iter(MAIN + "numFmt"):
        try:
            formats[int(number_format.get("numFmtId"))] = number_format.get(
                "formatCode", ""
            )
        except (TypeError, ValueError):
            continue
    cell_formats = styles.find(MAIN + "cellXfs")
    if cell_formats is None:
        return set()
    dates = set()
    for index, xf in enumerate(cell_formats.iter(MAIN + "xf")):
        try:
            code = formats.get(int(xf.get("numFmtId", 0)))
        except ValueError:
            continue
        if code and is_date_format(code):
            dates.add(index)
    return dates


def _column(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index


class _SheetReader:
    def __init__(self, *, strings, date_styles, epoch, title, problems):
        self.strings = strings
        self.date_styles = date_styles
        self.epoch = epoch
        self.title = title
        self.problems = problems
        self.text = 0  # characters of text the sheet's cells expanded to

    def rows(self, source) -> Iterator[tuple[int, dict[int, object]]]:
        number, cells, width, position = 0, {}, 0, -1
        for element in _stream(source, (MAIN + "c", MAIN + "row", MAIN + "mergeCell")):
            tag = element.tag
            if tag == MAIN + "c":
                position, value = self._cell(element, number + 1, position)
                width += 1
                if width > MAX_COLUMNS or position >= MAX_COLUMN_INDEX:
                    raise too_many_columns(number + 1)
                if value is not None:
                    cells[position] = value
            elif tag == MAIN + "row":
                number = self._row_number(element, number)
                yield number, cells
                cells, width, position = {}, 0, -1
            elif len(self.problems.merged) < MAX_MERGED_LISTED:
                self._merged(element.get("ref", ""))

    def _merged(self, ref: str) -> None:
        rows = [int(match[2]) for match in map(CELL_REF.match, ref.split(":")) if match]
        if rows:
            self.problems.merged.append((ref, min(rows), max(rows)))

    @staticmethod
    def _row_number(element, previous: int) -> int:
        try:
            number = int(element.get("r") or previous + 1)
        except ValueError as error:
            raise invalid() from error
        if number <= previous:
            raise invalid()
        return number

    def _cell(self, element, row: int, previous: int) -> tuple[int, object]:
        reference = element.get("r")
        if reference:
            match = CELL_REF.match(reference)
            if match is None:
                raise invalid()
            position = _column(match[1]) - 1
        else:
            position = previous + 1
        value = self._value(element)
        if isinstance(value, str):
            if len(value) > MAX_CELL_TEXT:
                raise _text_too_long()
            self.text += len(value)
            if self.text > MAX_SHEET_TEXT:
                raise TableError(
                    _(
                        "The sheet “%(sheet)s” holds more text than any shop "
                        "spreadsheet (over %(max)s characters). Keep only the rows "
                        "and columns to import, or split the file."
                    )
                    % {"sheet": self.title, "max": f"{MAX_SHEET_TEXT:,}"}
                )
        formula = element.find(MAIN + "f")
        if formula is not None:
            self.problems.formulas.append(
                Formula(
                    row,
                    position,
                    cell_address(row, position),
                    ("=" + (formula.text or ""))[:60],
                    value,
                )
            )
        return position, value

    def _value(self, element):
        kind = element.get("t", "n")
        if kind == "inlineStr":
            inline = element.find(MAIN + "is")
            return _text(inline) if inline is not None else None
        value = element.findtext(MAIN + "v")
        if value is None:
            return None
        if kind == "s":
            try:
                return self.strings[int(value)]
            except (ValueError, IndexError) as error:
                raise invalid() from error
        if kind == "b":
            return value.strip() in ("1", "true")
        if kind != "n":  # str (a formula's text), e (an error such as #N/A), d
            return value
        try:
            number = float(value) if any(c in value for c in ".eEnN") else int(value)
        except ValueError:
            return value  # the column's parser says what is wrong with it
        style = element.get("s") or "0"
        if style.isdigit() and int(style) in self.date_styles:
            try:
                return from_excel(number, self.epoch)
            except (ValueError, OverflowError, TypeError):
                return number
        return number
