"""The owner takes a backup from the browser and downloads it."""

import pytest
from playwright.sync_api import expect

from jxc.backup import backups

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_backs_up_from_the_menu_and_downloads_the_file(
    signed_in_owner, live_server, settings, tmp_path
):
    settings.JXC_BACKUP_DIR = tmp_path / "backups"
    page = signed_in_owner
    page.locator("#user-menu").click()
    page.locator("#nav-backups").click()
    expect(page.locator("#no-backups")).to_be_visible()
    expect(page.locator("#restore-note")).to_contain_text("命令行")

    page.locator("#backup-now").click()

    expect(page.locator(".alert-success")).to_contain_text("备份")
    [path] = backups(settings.JXC_BACKUP_DIR)
    row = page.locator("#backup-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(path.name)
    with page.expect_download() as download:
        row.get_by_role("link", name="下载").click()
    saved = tmp_path / "saved"
    download.value.save_as(saved)
    assert download.value.suggested_filename == path.name
    assert saved.read_bytes() == path.read_bytes()
