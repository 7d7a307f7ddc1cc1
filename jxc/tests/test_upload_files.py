"""A refused upload leaves no temporary file behind, open or on disk.

A request larger than FILE_UPLOAD_MAX_MEMORY_SIZE makes Django stream its file to
a temporary file; jxc.uploads drops the file once it is past the import limit, and
must close (hence delete) the temporary file it had begun, before the page answers.
"""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Product

MB = 1024 * 1024


def open_files() -> set[str]:
    """What this process has open now (Linux: /proc/self/fd)."""
    names = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            names.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the directory's own descriptor, gone by now
            continue
    return names


@pytest.fixture
def upload_dir(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
@pytest.mark.parametrize("url", ["/catalog/products/import/", "/inventory/opening/"])
def test_a_refused_large_upload_leaves_no_temporary_file_open(
    owner_client, upload_dir, url
):
    owner_client.get(url)  # code and templates loaded before counting
    big = SimpleUploadedFile("big.csv", b"x" * (6 * MB), content_type="text/csv")
    before = open_files()

    response = owner_client.post(url, {"file": big})

    assert response.status_code == 200
    assert "文件太大（6.0 MB）" in response.content.decode()
    # Counted while the response (and the request it keeps) is still alive.
    assert open_files() - before == set()
    assert list(upload_dir.iterdir()) == []
    assert Product.objects.count() == 0


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_an_upload_kept_in_a_temporary_file_is_closed_with_the_request(
    owner_client, upload_dir, settings
):
    """A file within the limit that Django wrote to disk (the request was over the
    in-memory size) is read, then closed and deleted with the request."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10
    owner_client.get("/catalog/products/import/")
    data = "商品编码,商品名称,单位\nA1,苹果,个\n".encode()
    before = open_files()

    response = owner_client.post(
        "/catalog/products/import/",
        {"file": SimpleUploadedFile("p.csv", data, content_type="text/csv")},
    )

    assert response.status_code in (200, 302)
    assert open_files() - before == set()
    assert list(upload_dir.iterdir()) == []
