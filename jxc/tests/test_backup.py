"""manage.py backup and restore: a populated shop survives the round trip whole,
old backups are pruned, and a restore refuses what it must not touch.

Tests that back up the test database are transactional: a backup, like pg_dump,
sees only what is committed, and SQLite's backup cannot read a database that its
own connection is in the middle of writing.

The round trip runs on whichever database the suite runs on: on PostgreSQL it
restores into a scratch database made for the test (and dropped after), on SQLite
into a temporary file.
"""

import os
import sqlite3
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, connections

from inventory.models import StockLevel, StockMove
from inventory.months import month_close, next_month
from jxc.backup import backups

PROJECT = Path(__file__).resolve().parents[2]
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump and pg_restore: PostgreSQL only"
)


def run_backup(folder: Path, **options) -> str:
    out = StringIO()
    call_command("backup", folder=folder, stdout=out, **options)
    return out.getvalue()


def run_restore(path: Path, **options) -> str:
    out = StringIO()
    call_command("restore", str(path), stdout=out, **options)
    return out.getvalue()


class Scratch:
    """An empty database beside the test database, reached as a shop owner would:
    ``manage.py`` in a separate process with its DATABASE_URL, and read back with a
    plain DB-API connection (the test's own connections may not touch it)."""

    def __init__(self, tmp_path):
        self.config = dict(connection.settings_dict)
        if connection.vendor == "postgresql":
            self.config["NAME"] = f"jxc_restore_test_{os.getpid()}"
            self._execute_on_server(
                f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'
            )
            self._execute_on_server(f'CREATE DATABASE "{self.name}"')
        else:
            self.config["NAME"] = str(tmp_path / "restored.sqlite3")

    @property
    def name(self) -> str:
        return self.config["NAME"]

    def _execute_on_server(self, sql: str) -> None:
        with connection.cursor() as cursor:  # autocommit: a transactional test
            cursor.execute(sql)

    def drop(self) -> None:
        if connection.vendor == "postgresql":
            self._execute_on_server(
                f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'
            )

    def url(self) -> str:
        if connection.vendor == "sqlite":
            return f"sqlite:///{self.name}"
        config = self.config
        credentials = quote(config["USER"] or "", safe="")
        if config["PASSWORD"]:
            credentials += ":" + quote(config["PASSWORD"], safe="")
        host = config["HOST"] or "localhost"
        return f"postgres://{credentials}@{host}:{config['PORT'] or 5432}/{self.name}"

    def manage(self, *arguments: str, answer: str = "") -> subprocess.CompletedProcess:
        environment = {**os.environ, "DATABASE_URL": self.url(), "DJANGO_DEBUG": "1"}
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=PROJECT,
            env=environment,
            input=answer,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    def connect(self):
        if connection.vendor == "sqlite":
            # Typed like Django's own connection, so both sides compare alike.
            return sqlite3.connect(
                self.name, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
            )
        import psycopg2

        config = self.config
        return psycopg2.connect(
            dbname=self.name,
            user=config["USER"],
            password=config["PASSWORD"],
            host=config["HOST"],
            port=config["PORT"],
        )

    def picture(self) -> dict:
        database = self.connect()
        try:
            return picture(database.cursor(), connection.vendor)
        finally:
            database.close()

    def is_empty(self) -> bool:
        database = self.connect()
        try:
            return tables(database.cursor(), connection.vendor) == []
        finally:
            database.close()


@pytest.fixture
def scratch(transactional_db, tmp_path):
    database = Scratch(tmp_path)
    yield database
    database.drop()


def tables(cursor, vendor: str) -> list[str]:
    if vendor == "postgresql":
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY 1"
        )
    return [name for (name,) in cursor.fetchall()]


LEVELS = """
    SELECT p.sku, w.code, l.on_hand, l.value, l.reserved
    FROM inventory_stocklevel l
    JOIN catalog_product p ON p.id = l.product_id
    JOIN catalog_warehouse w ON w.id = l.warehouse_id
    ORDER BY 1, 2
"""
SNAPSHOTS = """
    SELECT c.month, p.sku, w.code, s.quantity, s.value
    FROM inventory_monthsnapshot s
    JOIN inventory_closedmonth c ON c.id = s.closed_month_id
    JOIN catalog_product p ON p.id = s.product_id
    JOIN catalog_warehouse w ON w.id = s.warehouse_id
    ORDER BY 1, 2, 3
"""


def picture(cursor, vendor: str) -> dict:
    """Everything the round trip must keep: rows in every table, each balance, each
    month-end snapshot, and where each id sequence stands (the next new row's id)."""
    counts = {}
    for table in tables(cursor, vendor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - catalog names
        counts[table] = cursor.fetchone()[0]
    if vendor == "postgresql":
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = 'public' ORDER BY 1"
        )
    else:
        cursor.execute("SELECT name, seq FROM sqlite_sequence ORDER BY 1")
    sequences = [tuple(row) for row in cursor.fetchall()]
    cursor.execute(LEVELS)
    levels = [tuple(row) for row in cursor.fetchall()]
    cursor.execute(SNAPSHOTS)
    snapshots = [tuple(row) for row in cursor.fetchall()]
    return {
        "counts": counts,
        "sequences": sequences,
        "levels": levels,
        "snapshots": snapshots,
    }


def shop_picture() -> dict:
    with connection.cursor() as cursor:
        return picture(cursor, connection.vendor)


def populate_shop() -> None:
    """The demo shop (made through the services: opening stock, purchase orders and
    receipts, sales orders, shipments and counter sales), with two months closed."""
    call_command("seed_demo", stdout=StringIO())
    owner = get_user_model().objects.get(username="owner")
    first = StockMove.objects.order_by("occurred_at").first().occurred_at
    month = date(first.year, first.month, 1)
    for _ in range(2):
        month_close(month=month, user=owner)
        month = next_month(month)


@pytest.mark.django_db(transaction=True)
def test_a_populated_shop_survives_backup_and_restore(scratch, tmp_path):
    populate_shop()
    before = shop_picture()
    assert before["counts"]["inventory_stockmove"] > 100
    assert before["counts"]["inventory_monthsnapshot"] > 0
    assert before["counts"]["purchasing_goodsreceipt"] > 0
    assert before["counts"]["sales_shipment"] > 0

    written = run_backup(tmp_path / "backups")
    [backup] = backups(tmp_path / "backups")
    assert str(backup) in written
    assert backup.stat().st_mode & 0o777 == 0o600
    restore = scratch.manage("restore", str(backup), "--noinput")
    assert restore.returncode == 0, restore.stderr
    assert "Restored" in restore.stdout

    after = scratch.picture()
    assert after["counts"] == before["counts"]
    assert after["levels"] == before["levels"]
    assert after["snapshots"] == before["snapshots"]
    assert after["sequences"] == before["sequences"]
    check = scratch.manage("check_stock")
    assert check.returncode == 0, check.stderr
    assert "match the ledger" in check.stdout
    migrations = scratch.manage("migrate", "--check")
    assert migrations.returncode == 0, migrations.stdout + migrations.stderr


@pytest.mark.django_db(transaction=True)
def test_restore_asks_first_and_only_yes_restores(scratch, tmp_path):
    run_backup(tmp_path)
    [backup] = backups(tmp_path)

    refused = scratch.manage("restore", str(backup), answer="no\n")
    assert refused.returncode != 0
    assert "You are about to restore" in refused.stdout
    assert str(backup) in refused.stdout
    assert "Cancelled: nothing was restored" in refused.stderr
    assert scratch.is_empty()

    done = scratch.manage("restore", str(backup), answer="yes\n")
    assert done.returncode == 0, done.stderr
    assert scratch.picture()["counts"] == shop_picture()["counts"]


@pytest.mark.django_db(transaction=True)
def test_a_truncated_backup_restores_nothing(scratch, tmp_path):
    call_command("seed_demo", stdout=StringIO())
    run_backup(tmp_path)
    [backup] = backups(tmp_path)
    truncated = tmp_path / "truncated"
    truncated.write_bytes(backup.read_bytes()[: backup.stat().st_size * 2 // 3])
    result = scratch.manage("restore", str(truncated), "--noinput")
    assert result.returncode != 0
    assert "Nothing was restored" in result.stderr or "rolled back" in result.stderr
    assert scratch.is_empty()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_has_data(tmp_path):
    run_backup(tmp_path)
    [backup] = backups(tmp_path)
    before = shop_picture()
    with pytest.raises(CommandError, match="is not empty: it has .* tables"):
        run_restore(backup, interactive=False)
    assert shop_picture() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"garbage " * 1000, "not an? (PostgreSQL|SQLite) backup made by manage.py"),
        (b"", "not an? (PostgreSQL|SQLite) backup made by manage.py"),
        (b"PGDMP" + bytes(range(256)) * 4, "not a PostgreSQL backup|is a PostgreSQL"),
        (b"SQLite format 3\x00" + b"\x00" * 2000, "SQLite"),
    ],
)
def test_restore_refuses_a_file_that_is_no_backup(tmp_path, content, message):
    garbage = tmp_path / "backup.dump"
    garbage.write_bytes(content)
    before = shop_picture()
    with pytest.raises(CommandError, match=message):
        run_restore(garbage, interactive=False)
    assert shop_picture() == before


@pytest.mark.django_db
def test_restore_refuses_a_database_file_of_another_application(tmp_path):
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as database:
        database.execute("CREATE TABLE notes (text)")
    with pytest.raises(CommandError, match="not of a JXC shop|is an SQLite backup"):
        run_restore(other, interactive=False)


@pytest.mark.django_db(transaction=True)
def test_backup_keeps_the_newest_and_leaves_other_files_alone(tmp_path):
    extension = "dump" if connection.vendor == "postgresql" else "sqlite3"
    for stamp in ("20250101-030000", "20250102-030000", "20250102-030000-2"):
        (tmp_path / f"jxc-{stamp}.{extension}").write_bytes(b"old")
    (tmp_path / "notes.txt").write_text("the owner's own file")
    (tmp_path / "jxc-20240101-030000.dump.bak").write_text("not ours either")

    output = run_backup(tmp_path, keep=3)

    kept = [path.name for path in backups(tmp_path)]
    assert kept[:2] == [
        f"jxc-20250102-030000.{extension}",
        f"jxc-20250102-030000-2.{extension}",
    ]
    assert len(kept) == 3 and kept[2].startswith("jxc-20")
    assert "Removed old backup jxc-20250101-030000" in output
    assert (tmp_path / "notes.txt").exists()
    assert (tmp_path / "jxc-20240101-030000.dump.bak").exists()
    assert not list(tmp_path.glob(".*partial"))


@pytest.mark.django_db(transaction=True)
def test_two_backups_in_the_same_second_are_both_kept(tmp_path, time_machine):
    time_machine.move_to("2026-11-26 03:00:00+08:00", tick=False)
    run_backup(tmp_path)
    run_backup(tmp_path)
    names = [path.name for path in backups(tmp_path)]
    assert [name.rsplit(".", 1)[0] for name in names] == [
        "jxc-20261126-030000",
        "jxc-20261126-030000-2",
    ]


@pytest.mark.django_db(transaction=True)
def test_backup_goes_to_the_configured_folder_and_keeps_the_configured_count(
    tmp_path, settings
):
    settings.JXC_BACKUP_DIR = tmp_path / "configured"
    settings.JXC_BACKUP_KEEP = 1
    call_command("backup", stdout=StringIO())
    call_command("backup", stdout=StringIO())
    assert len(backups(tmp_path / "configured")) == 1


def test_backups_go_to_a_git_ignored_folder_in_the_project_by_default():
    assert "/backups/" in (PROJECT / ".gitignore").read_text().splitlines()
    if "JXC_BACKUP_DIR" not in os.environ:
        # The settings module's value: the tests themselves write backups to a
        # temporary folder (conftest.py).
        from jxc import settings as project_settings

        assert project_settings.JXC_BACKUP_DIR == PROJECT / "backups"


@postgresql_only
@pytest.mark.django_db
def test_backup_without_pg_dump_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(CommandError, match="pg_dump was not found.*postgresql-client"):
        run_backup(tmp_path / "backups")
    assert list((tmp_path / "backups").iterdir()) == []


@postgresql_only
@pytest.mark.django_db
def test_a_failed_pg_dump_leaves_no_file(tmp_path):
    connections.settings["missing"] = {
        **connection.settings_dict,
        "NAME": f"jxc_no_such_database_{os.getpid()}",
    }
    try:
        with pytest.raises(CommandError, match="pg_dump failed .*does not exist"):
            run_backup(tmp_path, database="missing")
    finally:
        del connections["missing"]
        del connections.settings["missing"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own locking")
@pytest.mark.django_db
def test_a_backup_of_a_locked_database_gives_up_and_leaves_no_file(
    tmp_path, monkeypatch
):
    """Here the test's own open transaction holds the lock; in a shop, a writer."""
    monkeypatch.setattr("jxc.backup.BUSY_SECONDS", 0.5)
    StockLevel.objects.update(reserved=0)  # a write: the transaction holds its lock
    with pytest.raises(CommandError, match="stayed locked by another writer"):
        run_backup(tmp_path)
    assert list(tmp_path.iterdir()) == []
