"""Property tests of the spreadsheet reader: whatever bytes arrive, the reader
either refuses the file with our message (TableError) or returns rows whose every
cell its column's parser accepted or explained (CellError). Nothing else escapes.
"""

import io
import math
import zipfile
from decimal import Decimal

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from catalog.imports import PARTY_COLUMNS, PRODUCT_COLUMNS
from inventory.imports import OPENING_COLUMNS
from jxc.tabular import SCIENTIFIC, Table, TableError, parse_rows, read_upload

COLUMN_SETS = [PRODUCT_COLUMNS, PARTY_COLUMNS, OPENING_COLUMNS]
HEADER_NAMES = sorted(
    {name for columns in COLUMN_SETS for c in columns for name in (c.label, c.english)}
)
PROPERTY_SETTINGS = settings(
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def read(name: str, data: bytes, columns) -> Table | None:
    """The property itself: a refusal with a message, or rows all checked."""
    try:
        table = read_upload(SimpleUploadedFile(name, data), columns)
    except TableError as error:
        assert str(error).strip()
        event("refused")
        return None
    event("read")
    assert table.rows
    for _number, values in parse_rows(table):
        for value in values.values():
            if isinstance(value, Decimal):
                assert value.is_finite()
            if isinstance(value, float):
                assert math.isfinite(value)
    for error in table.errors:
        assert error.problem and error.row >= 1
    return table


# --- random bytes ----------------------------------------------------------------

PREFIXES = [
    b"",
    b"PK\x03\x04",
    b"PK\x05\x06" + b"\x00" * 18,
    b"\xd0\xcf\x11\xe0",
    b"\x89PNG\r\n\x1a\n",
    b"\xef\xbb\xbf",
    "商品编码,商品名称\n".encode(),
    "商品编码,商品名称\n".encode("gb18030"),
]


@PROPERTY_SETTINGS
@given(
    prefix=st.sampled_from(PREFIXES),
    body=st.binary(max_size=4096),
    name=st.sampled_from(["a.csv", "a.xlsx", "a.xlsm", "a.txt", "无名"]),
    columns=st.sampled_from(COLUMN_SETS),
)
@example(prefix=b"", body=b"\x00" * 64, name="a.csv", columns=PRODUCT_COLUMNS)
@example(prefix=b"", body=b"\xef\xbb\xbf", name="a.csv", columns=PRODUCT_COLUMNS)
def test_random_bytes_are_refused_or_read(prefix, body, name, columns):
    read(name, prefix + body, columns)


# --- random CSV text ---------------------------------------------------------------

CJK_EXTENSION_B = st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF)
EMOJI = st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF)
CONTROL = st.characters(max_codepoint=0x1F)
NUMBERS = st.sampled_from(
    [
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        "1e30",
        "1E+30",
        "-1e30",
        "0.12345678901234567890",
        "12345678901234567890.5",
        "-0",
        "0",
        "-3",
        "¥1,234.50",
        "1,2",
        "１２.５",
        "1.005",
        "9" * 400,
        "1e-400",
        "1e999999",
    ]
)
FORMULAS = st.sampled_from(
    ["=1+1", '=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
)
CELL = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=st.one_of(CJK_EXTENSION_B, EMOJI, CONTROL), max_size=20),
    NUMBERS,
    FORMULAS,
    st.builds(
        lambda c, n: c * n, st.sampled_from(["苹", "a", "😀"]), st.integers(0, 140_000)
    ),
    st.sampled_from(
        ["是", "否", "启用", "停用", "yes", "√", "×", "<script>x</script>"]
    ),
)


@st.composite
def headers(draw, columns):
    """Mostly a header the import takes (required columns first, either language);
    sometimes any names at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.lists(st.sampled_from(HEADER_NAMES), min_size=1, max_size=8))
    optional = [c for c in columns if not c.required]
    chosen = [c for c in columns if c.required] + draw(
        st.lists(st.sampled_from(optional), unique=True, max_size=len(optional))
    )
    names = [
        draw(st.sampled_from([c.label, c.english.upper(), c.english])) for c in chosen
    ]
    return draw(st.permutations(names))


@st.composite
def csv_files(draw, columns):
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    header = draw(headers(columns))
    rows = draw(
        st.lists(st.lists(CELL, max_size=len(header) + 2), min_size=0, max_size=12)
    )

    def line(cells):
        quoted = []
        for cell in cells:
            if draw(st.booleans()) or any(ch in cell for ch in f'"{delimiter}\r\n'):
                cell = '"' + cell.replace('"', '""') + '"'
            quoted.append(cell)
        return delimiter.join(quoted)

    title = [draw(st.text(max_size=10))] if draw(st.booleans()) else []
    text = newline.join(title + [line(header)] + [line(row) for row in rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return text.encode(encoding, errors="replace")


@PROPERTY_SETTINGS
@given(data=st.data(), columns=st.sampled_from(COLUMN_SETS))
def test_random_csv_text_is_refused_or_read(data, columns):
    read("shop.csv", data.draw(csv_files(columns)), columns)


# --- random workbooks, whole and damaged ----------------------------------------------

XLSX_CELL = st.one_of(
    CELL.map(lambda text: text[:32_000]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.none(),
)


@st.composite
def workbooks(draw, columns=PRODUCT_COLUMNS):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(draw(headers(columns)))
    for row in draw(st.lists(st.lists(XLSX_CELL, max_size=7), max_size=8)):
        for column, value in enumerate(row, start=1):
            if isinstance(value, str):
                # openpyxl refuses control characters a sheet cannot hold
                value = "".join(ch for ch in value if ch >= " " or ch in "\t\n\r")
            sheet.cell(row=sheet.max_row + (column == 1), column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@settings(PROPERTY_SETTINGS, max_examples=60)
@given(data=st.data(), columns=st.sampled_from(COLUMN_SETS))
def test_random_workbooks_are_refused_or_read(data, columns):
    read("shop.xlsx", data.draw(workbooks(columns)), columns)


@settings(PROPERTY_SETTINGS, max_examples=100)
@given(
    data=workbooks(),
    damage=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
        min_size=1,
        max_size=8,
    ),
    cut=st.one_of(st.none(), st.floats(0, 1)),
)
def test_damaged_workbooks_are_refused_or_read(data, damage, cut):
    damaged = bytearray(data)
    for where, byte in damage:
        damaged[int(where * len(damaged))] = byte
    if cut is not None:
        damaged = damaged[: int(cut * len(damaged))]
    read("shop.xlsx", bytes(damaged), PRODUCT_COLUMNS)


@settings(PROPERTY_SETTINGS, max_examples=60)
@given(
    parts=st.dictionaries(
        st.sampled_from(
            [
                "[Content_Types].xml",
                "_rels/.rels",
                "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/worksheets/sheet1.xml",
                "xl/sharedStrings.xml",
                "xl/styles.xml",
            ]
        ),
        st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)),
    )
)
def test_zips_of_random_parts_are_refused(parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    assert read("shop.xlsx", buffer.getvalue(), PRODUCT_COLUMNS) is None


# --- valid files are read, row for row ------------------------------------------------

CODE = st.text(
    alphabet="ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789-_",
    min_size=1,
    max_size=20,
).filter(lambda code: not SCIENTIFIC.match(code))
WORDS = st.lists(
    st.text(
        alphabet=st.one_of(
            st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
            st.sampled_from("ABCabc0123456789"),
        ),
        min_size=1,
        max_size=8,
    ),
    min_size=1,
    max_size=3,
).map(" ".join)
VALID_ROW = st.fixed_dictionaries(
    {
        "sku": CODE,
        "warehouse": st.one_of(st.none(), WORDS),
        "quantity": st.decimals(
            min_value=Decimal("0.001"), max_value=Decimal("999999"), places=3
        ),
        "unit_cost": st.decimals(
            min_value=Decimal("0"), max_value=Decimal("99999"), places=4
        ),
        "unit": st.one_of(st.none(), st.sampled_from(["箱", "瓶", "Box"])),
    }
)


@st.composite
def valid_tables(draw):
    """Opening-stock rows a shop would type, under a header in either language and
    any column order, sometimes below a title line."""
    rows = draw(st.lists(VALID_ROW, min_size=1, max_size=15))
    columns = draw(st.permutations(OPENING_COLUMNS))
    header = [draw(st.sampled_from([c.label, c.english])) for c in columns]
    title = draw(st.sampled_from([[], ["期初库存"], ["期初库存", ""]]))
    return columns, header, title, rows


def expected_values(row) -> dict:
    values = {
        "sku": row["sku"],
        "quantity": row["quantity"].quantize(Decimal("0.001")),
        "unit_cost": row["unit_cost"].quantize(Decimal("0.0001")),
    }
    for optional in ("warehouse", "unit"):
        if row.get(optional) is not None:
            values[optional] = row[optional]
    return values


def assert_read_row_for_row(table, rows, first_row: int) -> None:
    assert table is not None, "a valid file was refused"
    parsed = parse_rows(table)
    assert table.errors == []
    assert [number for number, _values in parsed] == list(
        range(first_row, first_row + len(rows))
    )
    assert [values for _number, values in parsed] == [expected_values(r) for r in rows]


@PROPERTY_SETTINGS
@given(
    table=valid_tables(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    last_newline=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
@example(  # the last line without a line ending
    table=(
        OPENING_COLUMNS,
        [c.label for c in OPENING_COLUMNS],
        [],
        [
            {
                "sku": "A1",
                "warehouse": None,
                "quantity": Decimal("2"),
                "unit_cost": Decimal("1.5"),
                "unit": None,
            }
        ],
    ),
    delimiter=",",
    newline="\n",
    last_newline=False,
    encoding="utf-8",
)
def test_valid_csv_files_are_read_row_for_row(
    table, delimiter, newline, last_newline, encoding
):
    columns, header, title, rows = table
    lines = [delimiter.join(title)] if title else []
    lines.append(delimiter.join(header))
    for row in rows:
        cells = []
        for column in columns:
            value = row[column.key]
            cells.append("" if value is None else str(value))
        lines.append(delimiter.join(f'"{cell}"' if cell else "" for cell in cells))
    text = newline.join(lines) + (newline if last_newline else "")
    table_read = read("stock.csv", text.encode(encoding), OPENING_COLUMNS)
    assert_read_row_for_row(table_read, rows, len(lines) - len(rows) + 1)


@settings(PROPERTY_SETTINGS, max_examples=60)
@given(table=valid_tables(), numbers_as_text=st.booleans())
def test_valid_workbooks_are_read_row_for_row(table, numbers_as_text):
    columns, header, title, rows = table
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append(title)
    sheet.append(header)
    for row in rows:
        cells = []
        for column in columns:
            value = row[column.key]
            if isinstance(value, Decimal) and not numbers_as_text:
                value = float(value)  # as Excel stores a number
            elif isinstance(value, Decimal):
                value = str(value)
            cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    first_row = (2 if title else 1) + 1
    table_read = read("stock.xlsx", buffer.getvalue(), OPENING_COLUMNS)
    assert_read_row_for_row(table_read, rows, first_row)
