"""Backups from the browser: the owner takes one now, sees the list and downloads
it (audited); a clerk can do none of it; a backup that fails writes nothing.

Transactional: a backup, like pg_dump, sees only what is committed."""

import sqlite3

import pytest
from django.db import connection
from django.test import Client

from audit.models import Action, AuditEntry
from jxc.backup import backups

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def folder(settings, tmp_path):
    settings.JXC_BACKUP_DIR = tmp_path / "backups"
    return settings.JXC_BACKUP_DIR


def test_owner_takes_a_backup_sees_it_listed_and_downloads_it(
    owner_client, owner, folder
):
    response = owner_client.post("/accounts/backups/new/", follow=True)

    [path] = backups(folder)
    body = response.content.decode()
    assert path.name in body
    assert 'id="backup-table"' in body
    assert AuditEntry.objects.filter(
        action=Action.CREATE, object_label=path.name, user=owner
    ).exists()

    download = owner_client.get(f"/accounts/backups/{path.name}")

    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == path.read_bytes()
    assert AuditEntry.objects.filter(
        action=Action.EXPORT, object_label=path.name, user=owner
    ).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads the SQLite copy")
def test_the_downloaded_sqlite_backup_holds_the_shop(owner_client, owner, folder):
    owner_client.post("/accounts/backups/new/")
    [path] = backups(folder)

    with sqlite3.connect(path) as copy:
        names = [row[0] for row in copy.execute("SELECT username FROM auth_user")]

    assert owner.username in names


def test_the_list_says_restoring_is_on_the_command_line_and_how_to_schedule(
    owner_client, folder
):
    body = owner_client.get("/accounts/backups/").content.decode()

    assert 'id="no-backups"' in body
    assert "manage.py restore" in body
    assert "manage.py backup" in body  # the cron line


def test_clerk_can_neither_take_list_nor_download_backups(owner_client, staff, folder):
    owner_client.post("/accounts/backups/new/")
    staff_client = Client()
    staff_client.force_login(staff)
    [path] = backups(folder)
    entries = AuditEntry.objects.count()

    assert staff_client.get("/accounts/backups/").status_code == 403
    assert staff_client.post("/accounts/backups/new/").status_code == 403
    assert staff_client.get(f"/accounts/backups/{path.name}").status_code == 403
    assert backups(folder) == [path]
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    "name",
    [
        "jxc-20261126-023000.sqlite3",  # a backup name, but no such file
        "..%2Fdb.sqlite3",
        "secret_key",
        ".jxc-20261126-023000.sqlite3.partial",
    ],
)
def test_only_a_listed_backup_can_be_downloaded(owner_client, folder, name):
    folder.mkdir(parents=True)
    (folder / "secret_key").write_text("not a backup")

    assert owner_client.get(f"/accounts/backups/{name}").status_code == 404


def test_a_backup_that_cannot_be_written_says_so_and_leaves_nothing(
    owner_client, settings, tmp_path
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the backup folder should be")
    settings.JXC_BACKUP_DIR = blocked
    entries = AuditEntry.objects.count()

    response = owner_client.post("/accounts/backups/new/", follow=True)

    assert "备份失败，未写入任何文件" in response.content.decode()
    assert blocked.read_text() == "a file where the backup folder should be"
    assert AuditEntry.objects.count() == entries


def test_backup_list_query_count_is_flat(owner_client, count_queries, folder):
    owner_client.post("/accounts/backups/new/")
    one = count_queries(owner_client, "/accounts/backups/")
    owner_client.post("/accounts/backups/new/")
    owner_client.post("/accounts/backups/new/")

    assert count_queries(owner_client, "/accounts/backups/") == one <= 7
