"""Hostile uploads through the real import pages: refused quickly, with a clear
message, in bounded memory, with nothing written.

Each file is made here in a temporary folder (never committed). The request body
is streamed from disk through Django's WSGI handler, as a server would hand it
over, so the memory measured is the application's own, not the test client's copy
of a 50 MB body.
"""

import random
import shutil
import struct
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from django.test.client import ClientHandler

import jxc.xlsx_reader  # noqa: F401 - imported before memory is measured
from catalog.models import Customer, Product, Supplier
from inventory.models import OpeningStock, StockLevel, StockMove
from jxc.testing.imports import confirm

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
PEAK_LIMIT = 50 * MB
TIME_LIMIT = 30  # seconds, on a busy two-core machine with tracemalloc slowing it
ENDPOINTS = [
    "/catalog/products/import/",
    "/catalog/suppliers/import/",
    "/catalog/customers/import/",
    "/inventory/opening/",
]
HEADER = "商品编码,商品名称,编码,名称,数量,成本单价\n".encode()

WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"'
        '/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
    b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>SKU</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>Name</t></is></c></row>'
)
SHEET_END = b"</sheetData></worksheet>"


def workbook(path: Path, write_sheet) -> Path:
    """An .xlsx whose first sheet's XML ``write_sheet(stream)`` writes in pieces."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in WORKBOOK_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_START)
            write_sheet(sheet)
            sheet.write(SHEET_END)
    return path


def zip_bomb(path):
    """300 MB of sheet XML (blank space between rows) packed into about 300 KB."""
    blank = b" " * MB
    return workbook(path, lambda sheet: [sheet.write(blank) for _ in range(300)])


def zip_bomb_with_lying_directory(path):
    """The zip bomb, its directory claiming the 300 MB sheet holds 1,000 bytes: the
    checks pass, and reading stops at the claimed size (then the checksum fails)."""
    blank = b" " * MB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in WORKBOOK_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(SHEET_START)
            for _ in range(300):
                sheet.write(blank)
            sheet.write(SHEET_END)
    data = bytearray(path.read_bytes())
    entry = data.rindex(b"PK\x01\x02")  # the sheet's central directory entry
    assert data[entry + 46 : entry + 46 + 24] == b"xl/worksheets/sheet1.xml"
    data[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def entity_bomb(path):
    """A sheet whose cell text is a "billion laughs" of nested XML entities."""
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10)
    )
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData>'
        "</worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in WORKBOOK_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def million_row_workbook(path):
    """A million short rows in 2.6 MB, packed 12 to 1: no bomb, just too long."""

    def rows(sheet):
        for start in range(2, 1_000_002, 10_000):
            sheet.write(
                b"".join(
                    b"<row><c><v>%d</v></c></row>" % n
                    for n in range(start, start + 10_000)
                )
            )

    return workbook(path, rows)


def wide_row_workbook(path):
    """One row of 5,000 cells."""
    cells = b"".join(b"<c><v>%d</v></c>" % n for n in range(5_000))
    return workbook(path, lambda sheet: sheet.write(b'<row r="2">' + cells + b"</row>"))


def many_entries_zip(path):
    """A 2 MB zip of 20,000 empty files, named .xlsx."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in WORKBOOK_PARTS.items():
            archive.writestr(name, text)
        for number in range(20_000):
            archive.writestr(f"x/{number}", b"")
    return path


def fifty_megabytes(path):
    with path.open("wb") as file:
        file.write(HEADER)
        row = b"A1,apple,A1,apple,1,1\n" * (MB // 22)
        while file.tell() < 50 * MB:
            file.write(row)
        file.truncate(50 * MB)
    return path


def million_row_csv(path):
    """1,000,000 rows in 4 MB: under the size limit, far over the row limit."""
    with path.open("wb") as file:
        file.write(HEADER)
        file.write(b"a,b\n" * 1_000_000)
    return path


def png(path):
    """A real PNG header (1×1 pixel), then a picture's worth of random bytes."""
    rng = random.Random(1)
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR"
    header += struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    header += struct.pack(">I", zlib.crc32(header[12:]))
    path.write_bytes(header + rng.randbytes(200_000))
    return path


def random_bytes_without_nul(path):
    rng = random.Random(2)
    path.write_bytes(rng.randbytes(300_000).replace(b"\x00", b"\x01"))
    return path


def nul_filled(path):
    path.write_bytes(b"\x00" * 100_000)
    return path


def csv_named_xlsx(path):
    path.write_bytes(HEADER + b"A1,apple,A1,apple,1,1\n")
    return path


def empty(path):
    path.write_bytes(b"")
    return path


def shared_string_workbook(path, length: int):
    """About 3 MB: a shared string of ``length`` random characters (it packs
    barely at all) that 180,000 cells all name. Read naively, every cell expands
    to the whole text: for 4 MB, 720 GB of text (hours of one worker's CPU)."""
    rng = random.Random(20261205)
    text = "".join(
        rng.choice("甲乙丙丁戊己庚辛壬癸ABCDEFabcdef0123456789") for _ in range(length)
    )
    strings = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        f"<si><t>{text}</t></si></sst>"
    )
    rels = WORKBOOK_PARTS["xl/_rels/workbook.xml.rels"].replace(
        "</Relationships>",
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>',
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in {
            **WORKBOOK_PARTS,
            "xl/_rels/workbook.xml.rels": rels,
        }.items():
            archive.writestr(name, part)
        archive.writestr("xl/sharedStrings.xml", strings)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_START)
            for row in range(2, 90_002):
                sheet.write(
                    b'<row r="%d"><c r="A%d" t="s"><v>0</v></c>'
                    b'<c r="B%d" t="s"><v>0</v></c></row>' % (row, row, row)
                )
            sheet.write(SHEET_END)
    return path


def one_4mb_shared_string(path):
    return shared_string_workbook(path, 4 * MB)


def one_30k_shared_string(path):
    """Each cell within Excel's own limit; together 5.4 billion characters."""
    return shared_string_workbook(path, 30_000)


HOSTILE = {
    # id: (file name, maker, what the page says)
    "zip-bomb": ("stock.xlsx", zip_bomb, "would unpack to 300.0 MB"),
    "zip-bomb-lying-directory": (
        "stock.xlsx",
        zip_bomb_with_lying_directory,
        "This file is not a valid .xlsx workbook.",
    ),
    "entity-bomb": (
        "laughs.xlsx",
        entity_bomb,
        "This file is not a valid .xlsx workbook.",
    ),
    "million-row-xlsx": ("rows.xlsx", million_row_workbook, "more than 20,000 rows"),
    "wide-row-xlsx": ("wide.xlsx", wide_row_workbook, "more than 1,000 columns"),
    "20000-entries": ("parts.xlsx", many_entries_zip, "holds 20,004 packed files"),
    "50-MB": ("big.csv", fifty_megabytes, "The file is too large (50.0 MB)"),
    "million-row-csv": ("rows.csv", million_row_csv, "more than 20,000 rows"),
    "png-named-csv": ("photo.csv", png, "This file is not a spreadsheet"),
    "random-bytes-csv": ("noise.csv", random_bytes_without_nul, "not a spreadsheet"),
    "nul-filled-csv": ("zeros.csv", nul_filled, "This file is not a spreadsheet"),
    "csv-named-xlsx": ("sheet.xlsx", csv_named_xlsx, "it holds plain text"),
    "empty": ("empty.csv", empty, "The file is empty."),
    "4-MB-shared-string": (
        "strings.xlsx",
        one_4mb_shared_string,
        "holds more than 32,767 characters",
    ),
    "shared-string-expansion": (
        "strings.xlsx",
        one_30k_shared_string,
        "holds more text than any shop spreadsheet",
    ),
}


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    return {
        key: (name, maker(folder / f"{key}-{name}"))
        for key, (name, maker, _message) in HOSTILE.items()
    }


def post_streamed(client, url, name, path, tmp_path):
    """POST ``path`` as the form's file, the body streamed from disk; returns the
    response, the peak of memory allocated meanwhile and the seconds taken."""
    boundary = "jxc-hostile-upload-boundary"
    body_path = tmp_path / "body"
    with body_path.open("wb") as body:
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            "".encode()
        )
        with path.open("rb") as source:
            shutil.copyfileobj(source, body)
        body.write(f"\r\n--{boundary}--\r\n".encode())
    client.get(url)  # templates, translations and code loaded before measuring
    with body_path.open("rb") as stream:
        environ = client._base_environ(
            PATH_INFO=url,
            REQUEST_METHOD="POST",
            CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
            CONTENT_LENGTH=str(body_path.stat().st_size),
            **{"wsgi.input": stream},
        )
        tracemalloc.start()
        started = time.perf_counter()
        try:
            response = ClientHandler(enforce_csrf_checks=False)(environ)
            seconds = time.perf_counter() - started
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return response, peak, seconds


def written():
    return [
        model.objects.count()
        for model in (Product, Supplier, Customer, OpeningStock, StockMove, StockLevel)
    ]


@pytest.fixture
def english_owner(owner_client):
    owner_client.cookies["django_language"] = "en"
    return owner_client


def assert_refused(client, url, name, path, message, tmp_path):
    before = written()
    response, peak, seconds = post_streamed(client, url, name, path, tmp_path)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "Nothing was imported" in html
    assert written() == before
    assert peak < PEAK_LIMIT, f"{peak / MB:.1f} MB"
    assert seconds < TIME_LIMIT, f"{seconds:.1f} s"


@pytest.mark.parametrize("key", HOSTILE)
def test_product_import_refuses_hostile_file(
    english_owner, hostile_files, key, tmp_path
):
    name, path = hostile_files[key]
    message = HOSTILE[key][2]
    assert_refused(english_owner, ENDPOINTS[0], name, path, message, tmp_path)


@pytest.mark.parametrize("url", ENDPOINTS[1:])
@pytest.mark.parametrize(
    "key", ["zip-bomb", "50-MB", "million-row-csv", "png-named-csv"]
)
def test_every_import_page_refuses_hostile_files(
    english_owner, hostile_files, url, key, tmp_path
):
    name, path = hostile_files[key]
    assert_refused(english_owner, url, name, path, HOSTILE[key][2], tmp_path)


def test_a_large_upload_never_reaches_memory_or_disk_whole(english_owner, tmp_path):
    """The 50 MB file is dropped once past the limit: the reader sees its size
    from the stand-in and reads none of it."""
    from jxc.uploads import SizeLimitUploadHandler

    handler = SizeLimitUploadHandler()
    handler.new_file("file", "big.csv", "text/csv", 50 * MB)
    chunk = b"x" * (64 * 1024)
    kept = [handler.receive_data_chunk(chunk, 0) for _ in range(800)]
    assert sum(len(c) for c in kept if c) <= 5 * MB
    stand_in = handler.file_complete(50 * MB)
    assert stand_in.size == 800 * len(chunk)
    assert stand_in.read() == b""


def test_a_workbook_within_the_limits_still_imports(english_owner, tmp_path):
    def rows(sheet):
        for n in range(2, 502):
            sheet.write(
                b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>P%d</t></is></c>'
                b'<c r="B%d" t="inlineStr"><is><t>Item %d</t></is></c></row>'
                % (n, n, n, n, n)
            )

    path = workbook(tmp_path / "ok.xlsx", rows)
    response, peak, _seconds = post_streamed(
        english_owner, ENDPOINTS[0], "ok.xlsx", path, tmp_path
    )
    assert response.status_code == 200  # the preview
    assert confirm(english_owner, ENDPOINTS[0], response).status_code == 302
    assert Product.objects.count() == 500
    assert peak < PEAK_LIMIT
    assert set(Product.objects.values_list("sku", "name")) == {
        (f"P{n}", f"Item {n}") for n in range(2, 502)
    }


def test_a_csv_within_the_limits_still_imports(english_owner, tmp_path):
    """A CSV like the hostile ones, but valid: every row arrives as written."""
    path = tmp_path / "ok.csv"
    rows = "".join(f"A{n},苹果{n}\n" for n in range(1, 301))
    path.write_bytes(("商品编码,商品名称\n" + rows).encode("gb18030"))
    response, peak, _seconds = post_streamed(
        english_owner, ENDPOINTS[0], "ok.csv", path, tmp_path
    )
    assert response.status_code == 200  # the preview
    assert confirm(english_owner, ENDPOINTS[0], response).status_code == 302
    assert set(Product.objects.values_list("sku", "name")) == {
        (f"A{n}", f"苹果{n}") for n in range(1, 301)
    }
    assert peak < PEAK_LIMIT


@pytest.mark.parametrize("name", ["rows.csv", "rows.xlsx"])
def test_a_file_at_the_row_limit_is_read_whole_and_one_more_row_is_refused(
    name, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.imports import PRODUCT_COLUMNS
    from jxc.tabular import MAX_ROWS, TableError, read_upload

    def upload(count):
        if name.endswith(".csv"):
            data = HEADER + b"".join(b"A%d,apple %d\n" % (n, n) for n in range(count))
            return SimpleUploadedFile(name, data)

        def rows(sheet):
            sheet.write(
                b"".join(
                    b'<row r="%d"><c t="inlineStr"><is><t>A%d</t></is></c>'
                    b'<c t="inlineStr"><is><t>apple %d</t></is></c></row>'
                    % (n + 2, n, n)
                    for n in range(count)
                )
            )

        path = workbook(tmp_path / f"{count}.xlsx", rows)
        return SimpleUploadedFile(name, path.read_bytes())

    table = read_upload(upload(MAX_ROWS), PRODUCT_COLUMNS)
    assert len(table.rows) == MAX_ROWS
    assert (table.rows[0][1]["sku"], table.rows[-1][1]["name"]) == (
        "A0",
        f"apple {MAX_ROWS - 1}",
    )
    with pytest.raises(TableError, match="20,000"):
        read_upload(upload(MAX_ROWS + 1), PRODUCT_COLUMNS)
